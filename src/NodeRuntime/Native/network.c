/*
 * The pod's network namespace: loopback always, and for the default network a veth pair whose host end
 * joins the node's bridge (which the runtime made, with its NAT, before the launch). iproute2 does the
 * work: netlink by hand is much code for five commands run once per pod.
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
    char netns[32];
    snprintf(netns, sizeof netns, "%d", (int)child);
    char *add[] = {(char *)pod.ip_tool, "link", "add", (char *)pod.veth, "type", "veth", "peer", "name", "eth0", "netns", netns, NULL};
    run_tool(add);
    char *attach[] = {(char *)pod.ip_tool, "link", "set", (char *)pod.veth, "master", (char *)pod.bridge, "up", NULL};
    run_tool(attach);
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
    char *address[] = {(char *)pod.ip_tool, "addr", "add", (char *)pod.address, "dev", "eth0", NULL};
    run_tool(address);
    char *up[] = {(char *)pod.ip_tool, "link", "set", "eth0", "up", NULL};
    run_tool(up);
    char *route[] = {(char *)pod.ip_tool, "route", "add", "default", "via", (char *)pod.gateway, NULL};
    run_tool(route);
}
