/*
 * The four roles' lists.  Taken with strace -f over the live tests
 * (the tests/live scripts, with tests/live/sandbox_seccomp.sh for a live root,
 * TLS, SIGHUP, status, HTTP and SMART refreshes): every call a process
 * made after its filter was installed is here, with the role that made
 * it.  Then a margin, marked "margin" below, for paths those runs do not
 * reach on a test machine: smartctl (the prober's fallback for disks
 * libatasmart cannot read runs under the prober's filter, which it
 * inherits), name resolution of a collector given by name (glibc's
 * resolver: netlink, UDP, nscd's socket), SQLite's journal as root,
 * abort() and the libuv thread pool's first start.
 *
 * Nothing here lets a process start a program but the prober, whose one
 * exec is smartctl; no role may ptrace, mount, load modules, open raw or
 * packet sockets, or listen.  x86_64 names; a call libseccomp does not
 * know on the build's architecture is left out (sandbox.c).
 */
#include <errno.h>
#include <linux/sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include <sys/socket.h>

#include "sandbox_policy.h"

/* P: the prober's worker and, since a worker is forked from it and
 * inherits its filter, the watchdog (W) too. */
#define W SANDBOX_ROLE(SANDBOX_PROBER_WATCH)
#define P (SANDBOX_ROLE(SANDBOX_PROBER) | W)
#define A SANDBOX_ROLE(SANDBOX_AGENT_NET)
#define C SANDBOX_ROLE(SANDBOX_COLLECTOR)

const struct sandbox_call sandbox_calls[] = {
	/* Every process: files, memory, signals, time, its own exit. */
	{"read", SANDBOX_ALL},
	{"write", SANDBOX_ALL},
	{"readv", SANDBOX_ALL},
	{"writev", SANDBOX_ALL},
	{"pread64", SANDBOX_ALL},
	{"pwrite64", SANDBOX_ALL},
	{"openat", SANDBOX_ALL},
	{"close", SANDBOX_ALL},
	{"lseek", SANDBOX_ALL},
	{"newfstatat", SANDBOX_ALL},
	{"fstat", SANDBOX_ALL},
	{"fcntl", SANDBOX_ALL},
	{"access", SANDBOX_ALL},
	{"faccessat2", SANDBOX_ALL},
	{"readlink", SANDBOX_ALL},
	{"readlinkat", SANDBOX_ALL},
	{"getdents64", SANDBOX_ALL},
	{"statfs", SANDBOX_ALL},
	{"fstatfs", SANDBOX_ALL},
	{"brk", SANDBOX_ALL},
	{"mmap", SANDBOX_ALL},
	{"munmap", SANDBOX_ALL},
	{"mprotect", SANDBOX_ALL},
	{"mremap", SANDBOX_ALL},
	{"madvise", SANDBOX_ALL},
	{"futex", SANDBOX_ALL},
	{"rt_sigaction", SANDBOX_ALL},
	{"rt_sigprocmask", SANDBOX_ALL},
	{"rt_sigreturn", SANDBOX_ALL},
	{"restart_syscall", SANDBOX_ALL},
	{"clock_gettime", SANDBOX_ALL},
	{"clock_nanosleep", SANDBOX_ALL},
	{"nanosleep", SANDBOX_ALL},
	{"getrandom", SANDBOX_ALL}, /* OpenSSL reseeds, glibc's malloc */
	{"getpid", SANDBOX_ALL},
	{"gettid", SANDBOX_ALL},
	{"getuid", SANDBOX_ALL},
	{"geteuid", SANDBOX_ALL},
	{"getgid", SANDBOX_ALL},
	{"getegid", SANDBOX_ALL},
	{"uname", SANDBOX_ALL},
	{"sysinfo", SANDBOX_ALL},
	{"prlimit64", SANDBOX_ALL},
	{"sched_yield", SANDBOX_ALL},
	{"sched_getaffinity", SANDBOX_ALL}, /* margin: thread pool sizing */
	{"poll", SANDBOX_ALL},
	{"ppoll", SANDBOX_ALL},
	{"pipe2", SANDBOX_ALL},
	{"exit", SANDBOX_ALL},
	{"exit_group", SANDBOX_ALL},
	/* margin: abort() raises SIGABRT on itself; a failed assertion
	 * should dump as one, not as SIGSYS. */
	{"tgkill", SANDBOX_ALL},
	/* A new thread (the network sides' libuv pool) or program (the
	 * prober's smartctl) registers these first. */
	{"set_robust_list", SANDBOX_ALL},
	{"rseq", SANDBOX_ALL},

	/* The prober: raw reads only; what parses (links, the clock's
	 * state) runs on the network side now. */
	{"ioctl", P}, /* SG_IO, NVMe admin */
	/* An opened file passed back (SCM_RIGHTS): the worker sends it, the
	 * watchdog receives and passes it on. */
	{"sendmsg", P},
	{"recvmsg", W},
	/* smartctl: spawned, waited for, killed at its deadline (margin). */
	{"execve", P},
	{"wait4", P | A}, /* kagentd reaps the prober when it stops */
	{"dup2", P},
	{"dup3", P},
	{"set_tid_address", P},
	{"arch_prctl", P},
	/* The watchdog: a worker's channel, its parent check and its own
	 * filter, installed in the forked child before it serves. */
	{"socketpair", W},
	{"getppid", W},
	{"seccomp", W},

	/* The network sides: libuv, TLS, the control socket, HTTP. */
	{"epoll_wait", A | C},
	{"epoll_pwait", A | C},
	{"epoll_ctl", A | C},
	{"epoll_create1", A | C},
	{"eventfd2", A | C},
	{"accept4", A | C},
	{"getsockopt", A | C},
	{"setsockopt", A | C},
	{"getpeername", A | C},
	{"getsockname", A | C},
	{"recvfrom", A | C},
	{"sendto", A | C},
	{"recvmsg", A | C},
	{"sendmsg", A | C},
	/* kagentd's network side gathers the facts: the kernel clock's NTP
	 * state (modes 0: read only). */
	{"clock_adjtime", A},
	{"adjtimex", A},
	{"shutdown", A | C},
	/* Storage: the agent's spool, the collector's SQLite database. */
	{"rename", A | C},
	{"unlink", A | C},
	{"fsync", A | C},
	{"fdatasync", A | C},
	{"ftruncate", A | C},
	{"fchown", C}, /* margin: SQLite's new journal, when run as root */
	/* kagentd's network side connects to the collector and ZooKeeper,
	 * the collector (libpq) to PostgreSQL, again after an outage, the
	 * network side to lldpd's unix socket (hw/lldp.c, in the report
	 * job); bind and sendmmsg are glibc's resolver's (margin). */
	{"connect", A | C},
	{"bind", A | C},
	{"sendmmsg", A | C},
};
const size_t sandbox_n_calls = sizeof sandbox_calls / sizeof sandbox_calls[0];

const struct sandbox_arg_rule sandbox_arg_rules[] = {
	/* Sockets by family: no AF_PACKET or raw sockets for anyone.  The
	 * prober opens none (the network side holds SIOCETHTOOL's handle);
	 * the collector accepts, and opens those of PostgreSQL (a unix
	 * socket or TCP, its host name resolved). */
	{"socket", A | C, 0, ~0ull, AF_INET},
	{"socket", A | C, 0, ~0ull, AF_INET6},
	{"socket", A | C, 0, ~0ull, AF_UNIX},    /* margin: nscd */
	{"socket", A | C, 0, ~0ull, AF_NETLINK}, /* margin: AI_ADDRCONFIG */
	/* Threads only; the prober's posix_spawn clones with CLONE_VM and
	 * CLONE_VFORK.  No fork anywhere. */
	{"clone", SANDBOX_ALL, 0, CLONE_THREAD, CLONE_THREAD},
	{"clone", P, 0, CLONE_VM | CLONE_VFORK, CLONE_VM | CLONE_VFORK},
	/* The watchdog forks a worker: a clone sharing neither memory nor
	 * thread group.  The worker itself may not (the prober's filter). */
	{"clone", W, 0, CLONE_VM | CLONE_THREAD, 0},
	/* The worker, between fork and its filter: PR_SET_PDEATHSIG, then
	 * libseccomp's PR_SET_NO_NEW_PRIVS. */
	{"prctl", W, 0, ~0ull, 1 /* PR_SET_PDEATHSIG */},
	{"prctl", W, 0, ~0ull, 38 /* PR_SET_NO_NEW_PRIVS */},
	/* kagentd's Kafka client (librdkafka) names each thread it starts
	 * ("rdk:main", "rdk:broker1"); nothing else of prctl. */
	{"prctl", A, 0, ~0ull, 15 /* PR_SET_NAME */},
	/* kagentd stops its prober with SIGTERM; the prober kills a
	 * smartctl past its deadline with SIGKILL. */
	{"kill", A, 1, ~0ull, SIGTERM},
	{"kill", P, 1, ~0ull, SIGKILL},
	/* libuv's non-blocking and close-on-exec, isatty's TCGETS. */
	{"ioctl", A | C, 1, 0xffffffffull, FIONBIO},
	{"ioctl", A | C, 1, 0xffffffffull, FIOCLEX},
	{"ioctl", A | C, 1, 0xffffffffull, TCGETS},
	{"ioctl", A | C, 1, 0xffffffffull, FIONREAD},
	/* kagentd's network side reads the links' speed and modes. */
	{"ioctl", A, 1, 0xffffffffull, SIOCETHTOOL},
};
const size_t sandbox_n_arg_rules =
    sizeof sandbox_arg_rules / sizeof sandbox_arg_rules[0];

/* glibc 2.34+ starts threads and posix_spawn's child with clone3 and
 * falls back to clone on ENOSYS.  clone3's flags sit behind a pointer a
 * filter cannot read, so it is refused with ENOSYS and the clone rules
 * above decide. */
const struct sandbox_errno_rule sandbox_errno_rules[] = {
	{"clone3", SANDBOX_ALL, ENOSYS},
};
const size_t sandbox_n_errno_rules =
    sizeof sandbox_errno_rules / sizeof sandbox_errno_rules[0];
