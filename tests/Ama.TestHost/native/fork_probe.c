/*
 * Test helper for the fork tests: forks the calling process, and in the child reads and then
 * overwrites a range of the parent's memory, reporting what it found through its exit status.
 * The child runs only this C code (no managed code) and leaves with _exit.
 * Built by the tests with: gcc -shared -fPIC -O1 -o libfork_probe.so fork_probe.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

enum
{
    PROBE_UNMAPPED = 10,   /* the range does not exist in the child */
    PROBE_ZERO = 11,       /* mapped, every byte reads zero */
    PROBE_DATA = 12,       /* mapped, and non-zero bytes are visible */
    PROBE_FAULTS = 13,     /* mapped, but reading it faults */
    PROBE_FORK_FAILED = -1,
    PROBE_WAIT_FAILED = -2,
};

static sigjmp_buf fault_jump;

static void on_fault(int signal_number)
{
    (void)signal_number;
    siglongjmp(fault_jump, 1);
}

static int probe_in_child(volatile unsigned char *start, size_t length)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char residency;
    void *first_page = (void *)((uintptr_t)start & ~((uintptr_t)page - 1));
    if (mincore(first_page, (size_t)page, &residency) != 0 && errno == ENOMEM)
    {
        return PROBE_UNMAPPED;
    }

    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_fault;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, NULL);
    sigaction(SIGBUS, &action, NULL);
    if (sigsetjmp(fault_jump, 1) != 0)
    {
        return PROBE_FAULTS;
    }

    unsigned char seen = 0;
    for (size_t i = 0; i < length; i++)
    {
        seen |= start[i];
    }

    volatile int result = seen != 0 ? PROBE_DATA : PROBE_ZERO;

    /* Then try to overwrite it: on a shared mapping the parent would see this. */
    if (sigsetjmp(fault_jump, 1) != 0)
    {
        return result;
    }

    for (size_t i = 0; i < length; i++)
    {
        start[i] = 0x5A;
    }

    return result;
}

int fork_probe(void *address, size_t length)
{
    pid_t child = fork();
    if (child < 0)
    {
        return PROBE_FORK_FAILED;
    }

    if (child == 0)
    {
        _exit(probe_in_child((volatile unsigned char *)address, length));
    }

    int status;
    while (waitpid(child, &status, 0) < 0)
    {
        if (errno != EINTR)
        {
            return PROBE_WAIT_FAILED;
        }
    }

    return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* The negative control: an ordinary shared anonymous mapping, which a child shares. */
void *map_shared_control(size_t length)
{
    void *mapping = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return mapping == MAP_FAILED ? NULL : mapping;
}
