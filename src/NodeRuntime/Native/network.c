/*
 * The pod's network namespace: loopback always, and for the default network a veth pair whose host end
 * joins the node's bridge (which the runtime made, with its NAT, before the launch). iproute2 does the
 * work, two batches of commands, one process each: netlink by hand is much code for five commands per pod.
 * Stage1 kvm's VM instead gets a tap device on the same bridge (network_vm_tap), made with three ioctls.
 */
#include "shim.h"
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>
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

/*
 * The tap is not persistent: the kernel deletes it when its last fd closes, which is qemu's once the supervisor has
 * handed it over, so it goes with the VM however the VM ends (a stop, a SIGKILL, a crash, its supervisor killed and
 * qemu with it by the parent-death signal), and a restarted daemon has nothing to clean. Its name comes from the
 * pod's leased address, so no running pod has it; IFF_VNET_HDR lets qemu pass checksum offloads to the guest.
 */
int network_vm_tap(void)
{
    if (pod.network != NET_VETH)
        return -1;
    int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (tap < 0)
        fail("open /dev/net/tun: %s", strerror(errno));
    struct ifreq request;
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "%s", pod.tap);
    request.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(tap, TUNSETIFF, &request) != 0)
        fail("make the tap device %s: %s", pod.tap, strerror(errno));

    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        fail("socket: %s", strerror(errno));
    struct ifreq bridge;
    memset(&bridge, 0, sizeof bridge);
    snprintf(bridge.ifr_name, sizeof bridge.ifr_name, "%s", pod.bridge);
    bridge.ifr_ifindex = (int)if_nametoindex(pod.tap);
    if (bridge.ifr_ifindex == 0 || ioctl(sock, SIOCBRADDIF, &bridge) != 0)
        fail("attach the tap device %s to the bridge %s: %s", pod.tap, pod.bridge, strerror(errno));
    memset(&request, 0, sizeof request);
    snprintf(request.ifr_name, sizeof request.ifr_name, "%s", pod.tap);
    if (ioctl(sock, SIOCGIFFLAGS, &request) != 0)
        fail("tap device %s flags: %s", pod.tap, strerror(errno));
    request.ifr_flags |= IFF_UP;
    if (ioctl(sock, SIOCSIFFLAGS, &request) != 0)
        fail("tap device %s up: %s", pod.tap, strerror(errno));
    close(sock);
    return tap;
}
