namespace Sinks.Mmap.Adapters;

/// <summary>
/// An event an adapter hands to <see cref="MmapLogWriter.Append{TPayload}(long, MmapLevel, ref TPayload)"/>. Implement it on a
/// struct: the writer calls <see cref="Write"/> twice, once to measure and once to encode straight
/// into the mapped segment, so it must write the same thing both times.
/// </summary>
public interface IEventPayload
{
    /// <summary>Writes the header, then exactly <see cref="EventHeader.PropertyCount"/> properties.</summary>
    void Write(ref EventWriter writer);
}
