#!/usr/bin/env python3
"""Groups a flat perf profile into coarse categories, to see what a request's CPU goes to.

    perf report --stdio --no-children --sort dso,sym -g none | bench/perf_categories.py

Reads perf's "share  dso  [k|.]  symbol" lines on stdin (or from the files given) and prints
each category's share of the samples, largest first. The grouping is by shared object and
symbol name patterns, so it is approximate; the kernel lines are split into scheduling
(context switches, futexes, wake-ups: in a VM the timer-based samples taken while interrupts
were off land on finish_task_switch and _raw_spin_unlock_irqrestore) and TCP on loopback.
"""
import collections
import fileinput
import re

KERNEL_NET = re.compile(
    r"^(tcp|__tcp|ip_|__ip|inet|__inet|skb|__skb|sock_|__sock|sk_|__sk_|net_|__netif|netif|dev_|"
    r"__dev|loopback|napi|__napi|neigh|nf_|ipv4|__sys_sendto|__sys_recv|__x64_sys_send|"
    r"__x64_sys_recv|__x64_sys_write|__x64_sys_read|sendmsg|recvmsg|___sys|____sys|kmem_cache|"
    r"kmalloc|__kmalloc|kfree|__alloc_skb|consume_skb|skb_|validate_xmit|process_backlog|"
    r"do_softirq|__local_bh|handle_softirqs|release_sock|lock_sock|_copy_to_iter|_copy_from_iter|"
    r"__check_object_size|__virt_addr_valid|check_heap_object|vfs_write|vfs_read|sock_write_iter|"
    r"sock_read_iter|new_sync_|rw_verify_area|__fdget|fdget|security_socket|apparmor_socket|"
    r"bpf_lsm|ktime_get|__get_user|simple_copy|__put_user|copy_user|bbr_)")
KERNEL_SCHED = re.compile(
    r"sched|switch|futex|wake|spin_|irqentry|enqueue|dequeue|pick_|update_curr|update_load|rseq|"
    r"hrtimer|select_task|ttwu|idle|cpuacct|psi_|exit_to_user|schedule|set_next|put_prev|"
    r"reweight|account_|raw_spin")
LINE = re.compile(r"\s*([\d.]+)%\s+(\S+)\s+\[[.k]\]\s+(.*)")


def category(dso: str, sym: str) -> str:
    if dso == "[kernel.kallsyms]":
        if KERNEL_NET.search(sym):
            return "kernel: TCP on loopback"
        if KERNEL_SCHED.search(sym):
            return "kernel: scheduling, futex, wake-ups"
        if re.search(r"epoll|poll|eventfd", sym):
            return "kernel: epoll/poll"
        return "kernel: other syscalls"
    if re.match(r"libgrpc|libgpr|libaddress_sorting|libupb|libre2|libcares", dso):
        return "gRPC core and C++ API"
    if dso.startswith("libprotobuf"):
        return "protobuf"
    if dso.startswith("libcrypto"):
        return "HMAC-SHA256 (OpenSSL)"
    if dso.startswith("libhiredis"):
        return "Redis client (hiredis, RedisPool)"
    if dso.startswith("libpq"):
        return "PostgreSQL client (libpq, libpqxx)"
    if dso.startswith(("libabsl_graphcycles", "libabsl_synchronization")):
        return "absl::Mutex (with deadlock detection)"
    if dso.startswith("libprometheus"):
        return "metrics (prometheus-cpp)"
    if dso.startswith(("libc.so", "libstdc++", "ld-linux")) or dso == "[vdso]":
        if re.search(r"malloc|free|calloc|realloc|operator new|operator delete|_int_", sym):
            return "malloc/free"
        if re.search(r"pthread|futex|cond|mutex|lll_", sym):
            return "pthread (user side)"
        return "libc, libstdc++: other"
    if "redis" in sym.lower():
        return "Redis client (hiredis, RedisPool)"
    if re.search(r"Parse|Serialize|ByteSize|MergeFrom|Clear|Organisation::|protobuf", sym):
        return "protobuf"
    if re.search(r"grpc|Reactor|CallbackUnaryHandler|Interceptor", sym):
        return "gRPC core and C++ API"
    if dso.startswith("lib"):
        return "other libraries"
    return "service code"


def main() -> None:
    shares = collections.Counter()
    for line in fileinput.input():
        m = LINE.match(line)
        if m:
            shares[category(m.group(2), m.group(3))] += float(m.group(1))
    for name, share in shares.most_common():
        print(f"{share:5.1f}%  {name}")


if __name__ == "__main__":
    main()
