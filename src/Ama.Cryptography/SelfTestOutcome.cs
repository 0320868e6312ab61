namespace Ama.Cryptography;

/// <summary>The result of one self-test check, ordered from best to worst.</summary>
public enum SelfTestOutcome
{
    /// <summary>The protection is in place.</summary>
    Pass = 0,

    /// <summary>The protection is weaker than it could be on this host; secrets are still handled, with a known gap.</summary>
    Warn = 1,

    /// <summary>The protection is missing or does not work.</summary>
    Fail = 2,
}
