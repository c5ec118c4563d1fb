using System.CommandLine;
using System.Net;
using FleetPods.Security;

namespace FleetPods.Cli.Native.Cert;

/// <summary>
/// <c>fleetpods cert</c>: the cluster's certificates, made where the CA's key is (like <c>nomad tls ca create</c> and
/// <c>nomad tls cert create</c>): <c>ca create</c>, <c>create --role … --name …</c>, <c>revoke CERTFILE</c>.
/// </summary>
internal static class CertCommand
{
    public const int DefaultDays = 365;
    private const int MaxDays = 3650;
    private const string DefaultDirectory = "/var/lib/fleetpods/pki";

    /// <summary>Runs <c>fleetpods cert …</c>: one line per file written; bad input or a refusal is one line on stderr and exit 1.</summary>
    public static async Task<int> Run(string[] args)
    {
        var root = new RootCommand("fleetpods") { Create() };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"fleetpods cert: {parse.Errors[0].Message.ReplaceLineEndings(" ")} (fleetpods cert --help)");
            return 1;
        }

        return await parse.InvokeAsync();
    }

    public static Command Create()
    {
        var cert = new Command("cert", "The cluster's certificates: a CA, node and client certificates, revocation");
        cert.Subcommands.Add(CreateAuthority());
        cert.Subcommands.Add(CreateCertificate());
        cert.Subcommands.Add(Revoke());
        return cert;
    }

    private static Option<string> DirectoryOption() => new("--dir")
    {
        Description = $"The PKI directory holding ca.crt and ca.key (default {DefaultDirectory})",
        DefaultValueFactory = _ => DefaultDirectory,
    };

    private static Command CreateAuthority()
    {
        var dir = DirectoryOption();
        var create = new Command("create", "Make the cluster CA: DIR/ca.key (0600) and DIR/ca.crt, ECDSA P-256, ten years") { dir };
        create.SetAction(parse => Report(() => new PkiDirectory(parse.GetValue(dir)!).CreateAuthority(DateTimeOffset.UtcNow)));
        var ca = new Command("ca", "The cluster CA");
        ca.Subcommands.Add(create);
        return ca;
    }

    private static Command CreateCertificate()
    {
        var role = new Option<string>("--role") { Description = "node, admin, operator or reader", Required = true };
        var name = new Option<string>("--name") { Description = "The node's name, or the user's (the certificate's CN)", Required = true };
        var dns = new Option<string?>("--dns") { Description = "A node's DNS names, comma-separated (node only)" };
        var ip = new Option<string?>("--ip") { Description = "A node's IP addresses, comma-separated (node only)" };
        var days = new Option<int>("--days") { Description = $"How long it is valid (default {DefaultDays}; at most {MaxDays}, and never past the CA)", DefaultValueFactory = _ => DefaultDays };
        var dir = DirectoryOption();
        var output = new Option<string?>("--out") { Description = "Where to write PREFIX.crt and PREFIX.key (default DIR/NAME; a prefix with a '/' is a path)" };
        var create = new Command("create", "Issue a certificate with the CA in DIR") { role, name, dns, ip, days, dir, output };
        create.SetAction(parse => Report(() =>
        {
            if (!CertificateProfile.TryParseKind(parse.GetValue(role), out var kind))
            {
                throw new PkiException($"--role '{parse.GetValue(role)}' is not node, admin, operator or reader");
            }

            var identity = new CertificateIdentity(parse.GetValue(name)!, kind);
            if (!CertificateProfile.IsValidName(identity.Name))
            {
                throw new PkiException($"--name '{identity.Name}' is not a certificate name (1-64 letters, digits, '.', '_', '-', '@'; not starting with '.' or '-')");
            }

            var dnsNames = List(parse.GetValue(dns));
            var addresses = List(parse.GetValue(ip));
            if (kind != CertificateKind.Node && (dnsNames.Length > 0 || addresses.Length > 0))
            {
                throw new PkiException("--dns and --ip are for node certificates (a client certificate names a user, not a place)");
            }

            if (kind == CertificateKind.Node && dnsNames.Length == 0 && addresses.Length == 0)
            {
                throw new PkiException("a node certificate needs --ip or --dns: the addresses other nodes and clients reach it at");
            }

            var invalidName = dnsNames.FirstOrDefault(d => Uri.CheckHostName(d) != UriHostNameType.Dns);
            if (invalidName is not null)
            {
                throw new PkiException($"--dns '{invalidName}' is not a DNS name");
            }

            var parsed = new List<IPAddress>();
            foreach (var address in addresses)
            {
                parsed.Add(IPAddress.TryParse(address, out var value) ? value : throw new PkiException($"--ip '{address}' is not an IP address"));
            }

            var lifetime = parse.GetValue(days);
            if (lifetime is < 1 or > MaxDays)
            {
                throw new PkiException($"--days {lifetime} is not a number of days (1-{MaxDays})");
            }

            var prefix = parse.GetValue(output) is { Length: > 0 } given ? given : identity.Name;
            return new PkiDirectory(parse.GetValue(dir)!).Issue(identity, dnsNames, parsed, TimeSpan.FromDays(lifetime), prefix, DateTimeOffset.UtcNow);
        }));
        return create;
    }

    private static Command Revoke()
    {
        var file = new Argument<string>("CERTFILE") { Description = "The certificate to revoke (PEM)" };
        var dir = DirectoryOption();
        var revoke = new Command("revoke", "Add a certificate to DIR/crl.pem, signed by the CA; copy crl.pem to every node's PKI directory") { file, dir };
        revoke.SetAction(parse => Report(() => [new PkiDirectory(parse.GetValue(dir)!).Revoke(parse.GetValue(file)!, DateTimeOffset.UtcNow)]));
        return revoke;
    }

    private static string[] List(string? commaSeparated) =>
        commaSeparated?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private static int Report(Func<IReadOnlyList<string>> write)
    {
        try
        {
            foreach (var file in write())
            {
                Console.WriteLine($"wrote {file}");
            }

            return 0;
        }
        catch (PkiException ex)
        {
            Console.Error.WriteLine($"fleetpods cert: {ex.Message}");
            return 1;
        }
    }
}
