/*
 * AMA secure memory: native backend.
 *
 * One public header. Every function declared here is exported from
 * libama_secure_memory (.so / .dylib / .dll); nothing else is.
 *
 * Thread safety: every function is safe to call from any thread.
 * ama_last_os_error() reports the error of the calling thread only.
 */
#ifndef AMA_SECURE_MEMORY_H
#define AMA_SECURE_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) || defined(__CYGWIN__)
#  if defined(AMA_BUILDING_LIBRARY)
#    define AMA_API __declspec(dllexport)
#  elif defined(AMA_STATIC)
#    define AMA_API
#  else
#    define AMA_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__) || defined(__clang__)
#  define AMA_API __attribute__((visibility("default")))
#else
#  define AMA_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header; ama_version() reports the library's. */
#define AMA_VERSION_STRING "1.0.0"
/* Binary interface version. It changes only when an exported signature,
 * an enum value or a documented guarantee changes incompatibly.
 * Callers must refuse a library whose ama_abi_version() differs. */
#define AMA_ABI_VERSION 1u

/*
 * Status codes returned (as int) by ama_secure_mlock/ama_secure_munlock.
 * The numeric values are part of the ABI and never change.
 */
typedef enum ama_status {
    AMA_OK = 0,                /* success */
    AMA_ERR_NULL_POINTER = 1,  /* p == NULL while n > 0 */
    AMA_ERR_LOCK_FAILED = 2,   /* mlock / VirtualLock failed; nothing changed.
                                  ama_last_os_error(): e.g. ENOMEM (unmapped
                                  range or RLIMIT_MEMLOCK), EPERM, EAGAIN */
    AMA_ERR_UNLOCK_FAILED = 3, /* munlock / VirtualUnlock failed; nothing
                                  changed (dump flag not touched) */
    AMA_ERR_ADVISE_FAILED = 4, /* Linux only: the lock or unlock itself
                                  SUCCEEDED, but madvise(MADV_DONTDUMP /
                                  MADV_DODUMP) failed. After a lock the range
                                  IS locked (call ama_secure_munlock to undo);
                                  after an unlock it IS unlocked. */
    AMA_ERR_UNSUPPORTED = 5,   /* no memory locking on this platform/kernel */
    AMA_ERR_INVALID_RANGE = 6  /* p + n wraps around the address space */
} ama_status;

/*
 * Overwrite n bytes at p three times: 0x00, then 0xFF, then 0x00.
 * The stores cannot be removed by the compiler (explicit_bzero /
 * memset_s / SecureZeroMemory where available, plus a compiler barrier
 * after every pass). On return all n bytes are 0x00.
 * p == NULL is allowed when n == 0 (no-op); p == NULL with n > 0 is a
 * no-op too (the function never dereferences NULL), but callers must not
 * rely on it.
 */
AMA_API void ama_secure_memzero(void *p, size_t n);

/*
 * Lock the pages holding [p, p+n) into RAM (mlock / VirtualLock).
 * Every page that holds at least one byte of the range is locked.
 * On Linux it then applies MADV_DONTDUMP, but only to the pages that lie
 * entirely inside [p, p+n): a page shared with other data keeps its dump
 * setting. n == 0 succeeds without a system call (p may be NULL).
 * Locks do not nest: one munlock undoes any number of mlocks of a page.
 * Returns an ama_status (AMA_OK on success).
 */
AMA_API int ama_secure_mlock(void *p, size_t n);

/*
 * Unlock the pages holding [p, p+n) (munlock / VirtualUnlock). On Linux it
 * then applies MADV_DODUMP to the pages that lie entirely inside the range
 * (the exact reverse of ama_secure_mlock). Unlocking a range that was not
 * locked succeeds on POSIX systems. n == 0 succeeds (p may be NULL).
 * Returns an ama_status (AMA_OK on success).
 */
AMA_API int ama_secure_munlock(void *p, size_t n);

/*
 * The OS error (errno on POSIX, GetLastError() on Windows) recorded by the
 * most recent ama_secure_mlock / ama_secure_munlock call on the calling
 * thread: 0 if that call returned AMA_OK, AMA_ERR_NULL_POINTER or
 * AMA_ERR_INVALID_RANGE (no OS call failed), the OS error code otherwise.
 * 0 if the thread never called either function. Thread-local.
 */
AMA_API int ama_last_os_error(void);

/*
 * Constant-time comparison of n bytes: 0 if equal, 1 if not.
 * Running time depends on n only, never on the contents: no data-dependent
 * branch, no early exit. n == 0 returns 0 (pointers may then be NULL).
 */
AMA_API int ama_consttime_memcmp(const void *a, const void *b, size_t n);

/* Static English text for an ama_status value ("unknown status" else). */
AMA_API const char *ama_status_string(int status);

/* Library version, e.g. "1.0.0" (static string, never NULL). */
AMA_API const char *ama_version(void);

/* ABI version of the loaded library (AMA_ABI_VERSION, currently 1). */
AMA_API uint32_t ama_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* AMA_SECURE_MEMORY_H */
