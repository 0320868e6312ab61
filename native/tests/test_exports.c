/* The shared library exports exactly the public functions (loaded the way
 * the .NET side loads it: by path, symbols looked up by name). */
#include "ama/secure_memory.h"
#include "check.h"

#include <dlfcn.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_exports path/to/libama_secure_memory\n");
        return 2;
    }
    void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    CHECK(h != NULL);
    if (!h) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return check_report("test_exports");
    }
    static const char *const public_names[] = {
        "ama_secure_memzero", "ama_secure_mlock", "ama_secure_munlock",
        "ama_last_os_error", "ama_consttime_memcmp", "ama_status_string",
        "ama_version", "ama_abi_version"};
    for (size_t i = 0; i < sizeof public_names / sizeof public_names[0]; i++) {
        void *s = dlsym(h, public_names[i]);
        if (!s) fprintf(stderr, "missing export %s\n", public_names[i]);
        CHECK(s != NULL);
    }
    static const char *const private_names[] = {
        "ama_ct_diff_generic", "ama_ct_diff_avx2", "ama_cpu_has_avx2",
        "ama_ct_diff_avx512", "ama_cpu_has_avx512bw", "ama_ct_kernel",
        "ama_ct_kernel_name",
        "check_range", "advise_inner_pages", "wipe_zero"};
    for (size_t i = 0; i < sizeof private_names / sizeof private_names[0]; i++) {
        void *s = dlsym(h, private_names[i]);
        if (s) fprintf(stderr, "internal symbol exported: %s\n", private_names[i]);
        CHECK(s == NULL);
    }
    uint32_t (*abi)(void) = (uint32_t (*)(void))dlsym(h, "ama_abi_version");
    CHECK(abi != NULL && abi() == 1);
    dlclose(h);
    return check_report("test_exports");
}
