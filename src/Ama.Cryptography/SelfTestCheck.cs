namespace Ama.Cryptography;

/// <summary>One check of <see cref="SecureMemorySelfTest.Run"/>: what was checked, what was found, and what to do about it.</summary>
public sealed class SelfTestCheck
{
    /// <summary>Initializes a check result.</summary>
    /// <param name="id">The stable identifier, e.g. <c>memory-lock</c>.</param>
    /// <param name="title">What the check confirms, in a few words.</param>
    /// <param name="outcome">The result.</param>
    /// <param name="detail">What was found, in one line.</param>
    /// <param name="advice">One line on how to fix a warning or failure; <see langword="null"/> on a pass.</param>
    /// <exception cref="ArgumentException">A required text is null or empty.</exception>
    public SelfTestCheck(string id, string title, SelfTestOutcome outcome, string detail, string? advice)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentException.ThrowIfNullOrEmpty(title);
        ArgumentException.ThrowIfNullOrEmpty(detail);
        Id = id;
        Title = title;
        Outcome = outcome;
        Detail = detail;
        Advice = advice;
    }

    /// <summary>Gets the stable identifier of the check (lower case, hyphenated); tools may match on it.</summary>
    public string Id { get; }

    /// <summary>Gets what the check confirms, in a few words.</summary>
    public string Title { get; }

    /// <summary>Gets the result.</summary>
    public SelfTestOutcome Outcome { get; }

    /// <summary>Gets what was found, in one line.</summary>
    public string Detail { get; }

    /// <summary>Gets one line on how to fix a warning or failure, or <see langword="null"/> when there is nothing to do.</summary>
    public string? Advice { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Outcome} {Id}: {Detail}";
}
