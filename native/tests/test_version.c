#include "ama/secure_memory.h"
#include "check.h"

#include <string.h>

int main(void)
{
    CHECK(ama_version() != NULL);
    CHECK(strcmp(ama_version(), "1.0.0") == 0);
    CHECK(strcmp(ama_version(), AMA_VERSION_STRING) == 0);
    CHECK_EQ_INT(ama_abi_version(), 1);
    CHECK_EQ_INT(ama_abi_version(), AMA_ABI_VERSION);

    /* Enum values are ABI: pin them. */
    CHECK_EQ_INT(AMA_OK, 0);
    CHECK_EQ_INT(AMA_ERR_NULL_POINTER, 1);
    CHECK_EQ_INT(AMA_ERR_LOCK_FAILED, 2);
    CHECK_EQ_INT(AMA_ERR_UNLOCK_FAILED, 3);
    CHECK_EQ_INT(AMA_ERR_ADVISE_FAILED, 4);
    CHECK_EQ_INT(AMA_ERR_UNSUPPORTED, 5);
    CHECK_EQ_INT(AMA_ERR_INVALID_RANGE, 6);

    const char *seen[7];
    for (int s = 0; s <= 6; s++) {
        seen[s] = ama_status_string(s);
        CHECK(seen[s] != NULL && seen[s][0] != '\0');
        CHECK(strcmp(seen[s], "unknown status") != 0);
        for (int t = 0; t < s; t++) {
            CHECK(strcmp(seen[s], seen[t]) != 0);
        }
    }
    CHECK(strcmp(ama_status_string(7), "unknown status") == 0);
    CHECK(strcmp(ama_status_string(-1), "unknown status") == 0);
    return check_report("test_version");
}
