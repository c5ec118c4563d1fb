/*
 * The network of a stage1 kvm pod, inside its VM, before the apps start: loopback always (--net none leaves the guest
 * that alone), and on the bridge network the virtio-net device qemu gives the VM (the only one, so the kernel calls
 * it eth0) with the pod's leased address, up, and a default route via the node's bridge, as an ns pod's eth0 has them.
 * The host side (the tap on the bridge, NAT, forwarded ports, the node's isolation) is the node's. Plain ioctls, as
 * the initramfs holds no ip tool: four of them are the whole configuration.
 */
#include "../shim.h"
#include "guest-network.h"
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr ipv4(const char *text, const char *what)
{
    struct sockaddr_in address = {.sin_family = AF_INET};
    if (inet_pton(AF_INET, text, &address.sin_addr) != 1)
        fail("the pod's %s '%s' is not an IPv4 address", what, text);
    struct sockaddr generic;
    memcpy(&generic, &address, sizeof address);
    return generic;
}

static void interface_up(int sock, const char *name)
{
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "%s", name);
    if (ioctl(sock, SIOCGIFFLAGS, &request) != 0)
        fail("%s flags: %s", name, strerror(errno));
    request.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &request) != 0)
        fail("%s up: %s", name, strerror(errno));
}

/* The virtio-net device is probed as its driver loads (or at boot, built in); a few seconds under TCG at most. */
static void wait_for(const char *name)
{
    for (int attempt = 0; attempt < 500; attempt++) {
        if (if_nametoindex(name) != 0)
            return;
        usleep(10000);
    }
    fail("the VM has no network device %s (is virtio_net in the guest kernel or its modules?)", name);
}

static void configure_eth0(int sock)
{
    char address[64];
    snprintf(address, sizeof address, "%s", pod.address);
    char *slash = strchr(address, '/');
    char *end = NULL;
    long prefix = slash ? strtol(slash + 1, &end, 10) : -1;
    if (!slash || end == slash + 1 || *end || prefix < 1 || prefix > 32)
        fail("the pod's address '%s' has no prefix length", pod.address);
    *slash = 0;

    wait_for("eth0");
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "eth0");
    request.ifr_addr = ipv4(address, "address");
    if (ioctl(sock, SIOCSIFADDR, &request) != 0)
        fail("eth0 address %s: %s", pod.address, strerror(errno));
    struct sockaddr_in mask = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0xffffffffu << (32 - prefix))};
    memcpy(&request.ifr_netmask, &mask, sizeof mask);
    if (ioctl(sock, SIOCSIFNETMASK, &request) != 0)
        fail("eth0 netmask /%ld: %s", prefix, strerror(errno));
    interface_up(sock, "eth0");

    struct rtentry route;
    memset(&route, 0, sizeof route);
    route.rt_dst = ipv4("0.0.0.0", "default route");
    route.rt_genmask = ipv4("0.0.0.0", "default route");
    route.rt_gateway = ipv4(pod.gateway, "gateway");
    route.rt_flags = RTF_UP | RTF_GATEWAY;
    route.rt_dev = (char *)"eth0";
    if (ioctl(sock, SIOCADDRT, &route) != 0)
        fail("default route via %s: %s", pod.gateway, strerror(errno));
}

void guest_network_up(void)
{
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        fail("socket: %s", strerror(errno));
    interface_up(sock, "lo");
    if (pod.network == NET_VETH)
        configure_eth0(sock);
    close(sock);
}
