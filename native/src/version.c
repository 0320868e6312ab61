#include "ama/secure_memory.h"

const char *ama_version(void)
{
    return AMA_VERSION_STRING;
}

uint32_t ama_abi_version(void)
{
    return AMA_ABI_VERSION;
}

const char *ama_status_string(int status)
{
    switch (status) {
    case AMA_OK: return "ok";
    case AMA_ERR_NULL_POINTER: return "null pointer with non-zero length";
    case AMA_ERR_LOCK_FAILED: return "memory lock failed";
    case AMA_ERR_UNLOCK_FAILED: return "memory unlock failed";
    case AMA_ERR_ADVISE_FAILED: return "madvise (dump exclusion) failed";
    case AMA_ERR_UNSUPPORTED: return "memory locking not supported";
    case AMA_ERR_INVALID_RANGE: return "range wraps around the address space";
    default: return "unknown status";
    }
}
