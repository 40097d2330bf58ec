namespace Serilog.Sinks.Mmap.Formatting;

/// <summary>
/// The 32-bit event id CLEF writers put in <c>@i</c>: Jenkins' one-at-a-time hash of the
/// message template text, the same function Serilog.Formatting.Compact uses, so ids agree
/// between the two for the same template.
/// </summary>
internal static class EventIdHash
{
    /// <summary>Hashes each UTF-16 code unit of <paramref name="messageTemplate"/>.</summary>
    internal static uint Compute(string messageTemplate)
    {
        unchecked
        {
            uint hash = 0;
            foreach (char c in messageTemplate)
            {
                hash += c;
                hash += hash << 10;
                hash ^= hash >> 6;
            }

            hash += hash << 3;
            hash ^= hash >> 11;
            hash += hash << 15;
            return hash;
        }
    }
}
