/*
 * What an app of stage1 `ns` may do once it runs: the capabilities runc gives a container by default,
 * no_new_privs, and a seccomp filter refusing the system calls Docker's default profile refuses.
 * Docker's profile is an allow list that omits these; a deny list of the same calls is what fits in a
 * hand-written filter, and refuses the same things on this architecture. Written by hand because
 * libseccomp is not in every build environment as a static library, and the filter is small.
 */
#include "shim.h"
#include <errno.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_AARCH64
#else
#error "fleetpods-shim: no seccomp architecture for this target"
#endif

/* runc's default set (and, as runc since CVE-2022-29162, nothing inheritable): CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE. */
static const int kept_capabilities[] = {
    CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
};

static int is_kept(int capability)
{
    for (size_t i = 0; i < sizeof kept_capabilities / sizeof kept_capabilities[0]; i++)
        if (kept_capabilities[i] == capability)
            return 1;
    return 0;
}

/* Must run while the process is still root: dropping from the bounding set needs CAP_SETPCAP. */
void limit_capabilities(void)
{
    for (int capability = 0; capability <= 63; capability++) {
        if (is_kept(capability))
            continue;
        if (prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0 && errno != EINVAL)
            fail("drop capability %d: %s", capability, strerror(errno));
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);

    struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (size_t i = 0; i < sizeof kept_capabilities / sizeof kept_capabilities[0]; i++) {
        int capability = kept_capabilities[i];
        data[capability / 32].effective |= 1u << (capability % 32);
        data[capability / 32].permitted |= 1u << (capability % 32);
    }
    if (syscall(SYS_capset, &header, data) != 0)
        fail("capset: %s", strerror(errno));
}

static const int denied_syscalls[] = {
    SYS_acct, SYS_add_key, SYS_bpf, SYS_clock_adjtime, SYS_clock_settime, SYS_delete_module,
    SYS_finit_module, SYS_init_module, SYS_get_mempolicy, SYS_set_mempolicy, SYS_mbind, SYS_move_pages,
    SYS_kcmp, SYS_kexec_file_load, SYS_kexec_load, SYS_keyctl, SYS_request_key, SYS_lookup_dcookie,
    SYS_mount, SYS_umount2, SYS_pivot_root, SYS_name_to_handle_at, SYS_open_by_handle_at, SYS_perf_event_open,
    SYS_quotactl, SYS_reboot, SYS_setns, SYS_unshare, SYS_settimeofday, SYS_swapon, SYS_swapoff,
    SYS_userfaultfd, SYS_syslog, SYS_nfsservctl, SYS_fsopen, SYS_fsconfig, SYS_fsmount, SYS_fspick,
    SYS_move_mount, SYS_open_tree, SYS_mount_setattr, SYS_io_uring_setup, SYS_io_uring_enter,
    SYS_io_uring_register,
#if defined(__x86_64__)
    SYS_create_module, SYS_get_kernel_syms, SYS_query_module, SYS_ioperm, SYS_iopl, SYS_sysfs, SYS__sysctl,
    SYS_uselib, SYS_ustat,
#endif
};

#define LOAD_NR BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))
#define DENY_ERRNO(e) BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (e))

void lock_down(void)
{
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
        fail("no_new_privs: %s", strerror(errno));

    enum { DENIED = sizeof denied_syscalls / sizeof denied_syscalls[0] };
    const unsigned namespace_flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
                                     CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWTIME;
    struct sock_filter filter[32 + 2 * DENIED];
    int n = 0;
    /* Another architecture's calls (i386 through int 0x80) would bypass every number below. */
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
    filter[n++] = (struct sock_filter)LOAD_NR;
#if defined(__x86_64__)
    /* The x32 ABI's numbers have bit 30 set. */
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
    filter[n++] = (struct sock_filter)DENY_ERRNO(EPERM);
#endif
    for (int i = 0; i < DENIED; i++) {
        filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)denied_syscalls[i], 0, 1);
        filter[n++] = (struct sock_filter)DENY_ERRNO(EPERM);
    }
    /* personality: only the values Docker allows (Linux, Linux with 32-bit addresses, UNAME26 variants, and the query). */
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_personality, 0, 8);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x0, 5, 0);
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x8, 4, 0);
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20000, 3, 0);
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x20008, 2, 0);
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0xffffffff, 1, 0);
    filter[n++] = (struct sock_filter)DENY_ERRNO(EPERM);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    filter[n++] = (struct sock_filter)LOAD_NR;
    /* clone3 passes its flags in memory a filter cannot read: ENOSYS makes libc fall back to clone. */
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1);
    filter[n++] = (struct sock_filter)DENY_ERRNO(ENOSYS);
    /* clone may make threads and processes, not namespaces. */
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
    filter[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, namespace_flags, 0, 1);
    filter[n++] = (struct sock_filter)DENY_ERRNO(EPERM);
    filter[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);

    struct sock_fprog program = {.len = (unsigned short)n, .filter = filter};
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
        fail("seccomp: %s", strerror(errno));
}
