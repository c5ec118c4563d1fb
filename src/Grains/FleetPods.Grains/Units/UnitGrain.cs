using FleetPods.Grains.UnitFiles;
using Microsoft.Extensions.Logging;

namespace FleetPods.Grains.Units;

public sealed class UnitGrain(
    [PersistentState("unit", GrainStorage.Name)] IPersistentState<UnitState> state,
    TimeProvider time,
    ILogger<UnitGrain> logger) : Grain, IUnitGrain
{
    private string Name => this.GetPrimaryKeyString();

    private UnitState Unit => state.State;

    async Task<SubmitResult> IUnitGrain.Submit(string fileName, string text)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(text);
        if (Path.GetFileName(fileName) != Name)
        {
            return Refuse(fileName, $"file name '{Path.GetFileName(fileName)}' does not match unit '{Name}'");
        }

        if (!UnitName.TryParse(Name, out var name, out var nameError))
        {
            return Refuse(fileName, nameError!);
        }

        var parsed = UnitFileParser.Parse(fileName, text);
        if (!parsed.Succeeded)
        {
            return new SubmitResult(Name, parsed.Errors);
        }

        if (await ImageExecCheck.Check(GrainFactory, fileName, parsed.Unit!) is { } execError)
        {
            return new SubmitResult(Name, [execError]);
        }

        if (Unit.Exists && Unit.Text != text && Unit.DesiredState != UnitDesiredState.Inactive)
        {
            return Refuse(fileName, $"unit {Name} is {Unit.DesiredState.ToString().ToLowerInvariant()} with different contents; destroy it first");
        }

        if (Unit.Exists && Unit.Text == text)
        {
            return new SubmitResult(Name, []);
        }

        await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Units).Add(Name);
        Store(fileName, text, parsed.Unit!, name!.IsTemplate);
        await state.WriteStateAsync();
        logger.LogInformation("Unit {Unit} submitted", Name);
        return new SubmitResult(Name, []);
    }

    async Task<UnitStatus?> IUnitGrain.GetStatus() => Unit.Exists ? await Describe() : null;

    Task<string?> IUnitGrain.GetText() => Task.FromResult(Unit.Exists ? Unit.Text : null);

    async Task<UnitStatus> IUnitGrain.Load()
    {
        await EnsureRunnable();
        if (await CurrentPod() is null)
        {
            await CreatePod(start: false);
        }

        if (Unit.DesiredState == UnitDesiredState.Inactive)
        {
            await SetDesired(UnitDesiredState.Loaded);
        }

        return await Describe();
    }

    async Task<UnitStatus> IUnitGrain.Start()
    {
        await EnsureRunnable();
        var pod = await CurrentPod();
        if (pod is null || pod.HasEnded)
        {
            await CreatePod(start: true);
        }
        else
        {
            await GrainFactory.GetGrain<IPodGrain>(pod.Id).Start();
        }

        await SetDesired(UnitDesiredState.Launched);
        return await Describe();
    }

    async Task<UnitStatus> IUnitGrain.Stop(TimeSpan grace)
    {
        EnsureExists();
        if (Unit.PodId is { } podId)
        {
            await GrainFactory.GetGrain<IPodGrain>(podId).Stop(grace);
        }

        if (Unit.DesiredState == UnitDesiredState.Launched)
        {
            await SetDesired(UnitDesiredState.Loaded);
        }

        return await Describe();
    }

    async Task<UnitStatus> IUnitGrain.Unload(TimeSpan grace)
    {
        EnsureExists();
        await RemovePod(grace);
        await SetDesired(UnitDesiredState.Inactive);
        return await Describe();
    }

    async Task IUnitGrain.Destroy(TimeSpan grace)
    {
        EnsureExists();
        await RemovePod(grace);
        await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Units).Remove(Name);
        await state.ClearStateAsync();
        logger.LogInformation("Unit {Unit} destroyed", Name);
        DeactivateOnIdle();
    }

    private async Task EnsureRunnable()
    {
        if (!Unit.Exists)
        {
            await InstantiateFromTemplate();
        }

        if (Unit.IsTemplate)
        {
            throw new FleetPodsException($"{Name} is a template; start an instance of it, e.g. {Name.Replace("@.", "@1.", StringComparison.Ordinal)}");
        }
    }

    private async Task InstantiateFromTemplate()
    {
        if (!UnitName.TryParse(Name, out var name, out _) || name!.Instance is not { Length: > 0 })
        {
            throw new FleetPodsException($"unit {Name} not found");
        }

        var template = GrainFactory.GetGrain<IUnitGrain>(name.TemplateName);
        var text = await template.GetText()
            ?? throw new FleetPodsException($"unit {Name} not found, nor its template {name.TemplateName}");
        var parsed = UnitFileParser.ParseInstance(name.TemplateName, text, Name);
        if (!parsed.Succeeded)
        {
            throw new FleetPodsException($"template {name.TemplateName} cannot make {Name}: {string.Join("; ", parsed.Errors)}");
        }

        await GrainFactory.GetGrain<IRegistryGrain>(RegistryKind.Units).Add(Name);
        Store(name.TemplateName, text, parsed.Unit!, isTemplate: false);
        await state.WriteStateAsync();
        logger.LogInformation("Unit {Unit} instantiated from {Template}", Name, name.TemplateName);
    }

    private void Store(string fileName, string text, UnitFile unit, bool isTemplate)
    {
        Unit.Exists = true;
        Unit.FileName = fileName;
        Unit.Text = text;
        Unit.Unit = unit;
        Unit.IsTemplate = isTemplate;
        Unit.SubmittedAt = time.GetUtcNow();
    }

    private async Task CreatePod(bool start)
    {
        var unit = Unit.Unit!;
        var podId = Guid.NewGuid().ToString();
        Unit.PodId = podId;
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IPodGrain>(podId).Create(PodSpec.FromUnit(unit), unit, start);
    }

    private async Task RemovePod(TimeSpan grace)
    {
        if (Unit.PodId is { } podId)
        {
            await GrainFactory.GetGrain<IPodGrain>(podId).Destroy(grace);
            Unit.PodId = null;
            await state.WriteStateAsync();
        }
    }

    private async Task<PodStatus?> CurrentPod() =>
        Unit.PodId is { } podId ? await GrainFactory.GetGrain<IPodGrain>(podId).GetStatus() : null;

    private async Task SetDesired(UnitDesiredState desired)
    {
        if (Unit.DesiredState != desired)
        {
            Unit.DesiredState = desired;
            await state.WriteStateAsync();
            logger.LogInformation("Unit {Unit} desired state {DesiredState}", Name, desired);
        }
    }

    private void EnsureExists()
    {
        if (!Unit.Exists)
        {
            throw new FleetPodsException($"unit {Name} not found");
        }
    }

    private async Task<UnitStatus> Describe()
    {
        var pod = await CurrentPod();
        return new(Name, Description(pod?.NodeName), Unit.IsTemplate, Unit.DesiredState, pod, Unit.SubmittedAt);
    }

    // A template's description is shown as written; an instance's with its specifiers expanded, %m only once placed.
    private string? Description(string? nodeName)
    {
        if (Unit.Unit is not { Description: { } description } unit || Unit.IsTemplate)
        {
            return Unit.Unit?.Description;
        }

        try
        {
            return UnitSpecifiers.Expand(unit, new SpecifierContext(Name, nodeName)).Description;
        }
        catch (ArgumentException)
        {
            return description;
        }
    }

    private SubmitResult Refuse(string fileName, string message) =>
        new(Name, [new UnitFileError(fileName, 0, "", message)]);
}
