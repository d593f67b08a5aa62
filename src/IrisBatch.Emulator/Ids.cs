using System.Security.Cryptography;

namespace IrisBatch.Emulator;

/// <summary>Random identifiers shaped like the providers' own.</summary>
internal static class Ids
{
    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string Alphanumeric(string prefix, int length) => prefix + RandomNumberGenerator.GetString(Alnum, length);

    public static string Hex(string prefix, int length) => prefix + RandomNumberGenerator.GetHexString(length, lowercase: true);

    public static string RequestId() => Hex("req_", 32);
}
