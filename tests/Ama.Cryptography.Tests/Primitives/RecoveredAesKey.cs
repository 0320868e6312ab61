namespace Ama.Cryptography.Tests.Primitives;

/// <summary>
/// A key <see cref="AesKeyRecovery"/> found: the round r its pair was taken as, the region and byte offset of the
/// pair, whether a third round key confirmed it blind, and whether it is one of the keys the caller knew.
/// </summary>
public sealed record RecoveredAesKey(byte[] Key, int Round, int Region, int Offset, bool ConfirmedBlind, bool IsKnownKey);
