// Settings registered by _PG_init, read by the stage-change trigger.
#pragma once

namespace mql::pg {
extern char *guc_change_reason;
extern char *guc_actor;
} // namespace mql::pg
