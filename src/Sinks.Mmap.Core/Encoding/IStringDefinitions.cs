namespace Sinks.Mmap;

/// <summary>
/// Where an event's strings are interned: a segment's string table, and the writing of a new
/// string's Definition record into that segment. Encoding interns through this; the segment being
/// written implements it.
/// </summary>
internal interface IStringDefinitions
{
    /// <summary>The segment's interned strings.</summary>
    StringTable Strings { get; }

    /// <summary>Writes the Definition record of <paramref name="id"/> = <paramref name="value"/>.</summary>
    DefineResult TryWriteDefinition(int id, string value);
}

/// <summary>What became of a string definition.</summary>
internal enum DefineResult
{
    /// <summary>The Definition record is published; the id may be used.</summary>
    Defined,

    /// <summary>The segment filled up: the event goes to the next segment.</summary>
    Sealed,

    /// <summary>The string is too long for a record in this segment: it is written inline.</summary>
    TooLarge,
}
