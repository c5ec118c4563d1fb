namespace FleetPods.NodeRuntime.Kvm;

/// <summary>What every stage1 <c>kvm</c> pod of this node boots: the kernel, its initramfs, and the accelerator.</summary>
internal sealed record KvmMachine(GuestKernel Kernel, string Initramfs, KvmAccelerator Accelerator);
