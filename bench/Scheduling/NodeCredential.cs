using System.Security.Cryptography;
using FleetPods.Grains;

namespace FleetPods.Bench.Scheduling;

/// <summary>
/// A simulated agent's node certificate (DER) and its key (PKCS#8), kept as bytes: about 700 of them, where a loaded
/// certificate with its key would hold native handles for each of thousands of agents. The key is loaded to sign.
/// </summary>
internal sealed record NodeCredential(byte[] Certificate, byte[] Key)
{
    public AttachProof Prove(string nodeName, byte[] challenge)
    {
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Key, out _);
        return new AttachProof(challenge, Certificate, key.SignData(AttachProof.SignedBytes(nodeName, challenge), HashAlgorithmName.SHA256));
    }
}
