using System.Text;
using System.Xml;
using System.Xml.Linq;
using Ama.Cryptography.DataProtection.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Ama.Cryptography.DataProtection.Tests;

/// <summary>
/// Issue 23, finding 4: one bad entry under the key ring's prefix (not XML, a second version of an entry,
/// a copy of a key in another entry) costs that entry, with an Error naming it, and the rest of the ring
/// keeps protecting and unprotecting.
/// </summary>
public sealed class BadEntryTests
{
    private const string Secret = "written before the bad entry";

    [Fact]
    public void An_entry_that_is_not_XML_is_skipped_with_an_Error_naming_it_and_the_ring_keeps_working()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        using (var first = DataProtectionHost.Start(store, storeKey))
        {
            payload = first.Protector.Protect(Secret);
            byte[] garbage = Encoding.UTF8.GetBytes("<masterKey>c2VjcmV0LW1hc3Rlci1rZXk=");
            first.Storage.Store("dataprotection.xml.key-broken", garbage);

            // Control: the bytes really are not XML.
            Assert.Throws<XmlException>(() => XElement.Parse(Encoding.UTF8.GetString(garbage)));
        }

        var log = new LogSink();
        using var host = DataProtectionHost.Start(store, storeKey, log: log);
        Assert.Equal(Secret, host.Protector.Unprotect(payload));
        string fresh = host.Protector.Protect("after");
        Assert.Equal("after", host.Protector.Unprotect(fresh));
        Assert.Single(host.Repository.GetAllElements());

        string error = Assert.Single(log.At(LogLevel.Error).Distinct());
        Assert.Contains("'dataprotection.xml.key-broken' version 1", error, StringComparison.Ordinal);
        Assert.DoesNotContain(log.Entries, e => e.Message.Contains("c2VjcmV0LW1hc3Rlci1rZXk", StringComparison.Ordinal));
    }

    [Fact]
    public void A_second_version_of_an_entry_gives_Data_Protection_only_the_newest_with_an_Error_naming_the_entry()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        string entry;
        using (var first = DataProtectionHost.Start(store, storeKey))
        {
            payload = first.Protector.Protect(Secret);
            entry = Assert.Single(first.Storage.ListKeys(), n => n.StartsWith("dataprotection.xml.", StringComparison.Ordinal));

            // The same key element stored again as version 2 (a restore, a retried write): two elements of one key id.
            using SecureBuffer xml = first.Storage.Retrieve(entry);
            first.Storage.Store(entry, xml.Span);
            Assert.Equal(2, first.Storage.ListVersions(entry).Count);
        }

        var log = new LogSink();
        using var host = DataProtectionHost.Start(store, storeKey, log: log);
        Assert.Equal(Secret, host.Protector.Unprotect(payload));
        Assert.Equal("after", host.Protector.Unprotect(host.Protector.Protect("after")));
        Assert.Single(host.Repository.GetAllElements());

        string error = Assert.Single(log.At(LogLevel.Error).Distinct());
        Assert.Contains("'" + entry + "' of the Data Protection key ring has 2 versions", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_of_a_key_in_another_entry_is_skipped_with_an_Error_naming_both_entries()
    {
        using var dir = new TempDirectory();
        string store = dir.File("keys.amaks");
        byte[] storeKey = DataProtectionHost.CreateStore(store);
        string payload;
        string entry;
        using (var first = DataProtectionHost.Start(store, storeKey))
        {
            payload = first.Protector.Protect(Secret);
            entry = Assert.Single(first.Storage.ListKeys(), n => n.StartsWith("dataprotection.xml.", StringComparison.Ordinal));
            using SecureBuffer xml = first.Storage.Retrieve(entry);
            first.Storage.Store("dataprotection.xml.key-copy", xml.Span);
        }

        var log = new LogSink();
        using var host = DataProtectionHost.Start(store, storeKey, log: log);
        Assert.Equal(Secret, host.Protector.Unprotect(payload));
        Assert.Equal("after", host.Protector.Unprotect(host.Protector.Protect("after")));
        Assert.Single(host.Repository.GetAllElements());

        string error = Assert.Single(log.At(LogLevel.Error).Distinct());
        Assert.Contains("dataprotection.xml.key-copy", error, StringComparison.Ordinal);
        Assert.Contains(entry, error, StringComparison.Ordinal);
    }
}
