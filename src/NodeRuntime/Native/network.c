/*
 * The pod's network namespace: loopback always, and for the default network a veth pair whose host end
 * joins the node's bridge (which the runtime made, with its NAT, before the launch). iproute2 does the
 * work, two batches of commands, one process each: netlink by hand is much code for five commands per pod.
 */
#include "shim.h"
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* In the supervisor, in the host's namespaces, once the pod's process exists. */
void network_host_side(pid_t child)
{
    if (pod.network != NET_VETH)
        return;
    char commands[512];
    snprintf(commands, sizeof commands, "link add %s type veth peer name eth0 netns %d\nlink set %s master %s up\n",
             pod.veth, (int)child, pod.veth, pod.bridge);
    run_ip_batch(commands);
}

static void loopback_up(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        fail("socket: %s", strerror(errno));
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "lo");
    if (ioctl(sock, SIOCGIFFLAGS, &request) != 0)
        fail("loopback flags: %s", strerror(errno));
    request.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &request) != 0)
        fail("loopback up: %s", strerror(errno));
    close(sock);
}

/* In the pod's process, in its own network namespace but still seeing the host's files (for the ip tool). */
void network_pod_side(void)
{
    if (pod.network == NET_HOST)
        return;
    loopback_up();
    if (pod.network != NET_VETH)
        return;
    char commands[512];
    snprintf(commands, sizeof commands, "addr add %s dev eth0\nlink set eth0 up\nroute add default via %s\n",
             pod.address, pod.gateway);
    run_ip_batch(commands);
}
