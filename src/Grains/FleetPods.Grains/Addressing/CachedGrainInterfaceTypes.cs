using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Metadata;
using Orleans.Serialization.TypeSystem;

namespace FleetPods.Grains.Addressing;

/// <summary>
/// Answers, from a cache, which grain interface type a .NET interface is. Orleans 10.4's resolver works it out on
/// every <c>GetGrain</c>, reading the interface's attributes and formatting its name, and keeps nothing: about 2% of a
/// busy server's time, for the seven or so grains a placement addresses. Asked before every other provider, it fills
/// its cache from a resolver over those others, so its answers are the ones Orleans would give. Written here because
/// no served package caches it.
/// </summary>
internal sealed class CachedGrainInterfaceTypes(IServiceProvider services) : IGrainInterfaceTypeProvider
{
    private readonly ConcurrentDictionary<Type, GrainInterfaceType> known = new();
    private GrainInterfaceTypeResolver? resolver;

    public bool TryGetGrainInterfaceType(Type type, out GrainInterfaceType grainInterfaceType)
    {
        ArgumentNullException.ThrowIfNull(type);

        // Orleans adds a generic interface's parameters to whatever a provider answers, so those are left to it.
        if (type.IsGenericType)
        {
            grainInterfaceType = default;
            return false;
        }

        if (!known.TryGetValue(type, out grainInterfaceType))
        {
            grainInterfaceType = known.GetOrAdd(type, Resolver.GetGrainInterfaceType(type));
        }

        return true;
    }

    // Made at the first question rather than in the constructor: the providers it asks are resolved beside this one.
    private GrainInterfaceTypeResolver Resolver => resolver ??= new GrainInterfaceTypeResolver(
        services.GetServices<IGrainInterfaceTypeProvider>().Where(provider => !ReferenceEquals(provider, this)).ToList(),
        services.GetRequiredService<TypeConverter>());
}
