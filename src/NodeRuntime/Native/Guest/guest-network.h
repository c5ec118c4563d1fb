/* The guest's side of the pod's network (see guest-network.c). */
#ifndef FLEETPODS_GUEST_NETWORK_H
#define FLEETPODS_GUEST_NETWORK_H

/* Loopback up; on the bridge network, eth0 with the pod's address and a default route via the gateway. */
void guest_network_up(void);

#endif
