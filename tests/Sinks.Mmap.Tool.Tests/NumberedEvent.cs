namespace Sinks.Mmap.Tool.Tests;

/// <summary>An event "Event {N}" with its number, for tests that check order and completeness.</summary>
internal readonly struct NumberedEvent : IEventPayload
{
    private readonly int _number;

    public NumberedEvent(int number) => _number = number;

    public void Write(ref EventWriter writer)
    {
        writer.WriteHeader(new EventHeader { MessageTemplate = "Event {N}", PropertyCount = 1 });
        writer.WritePropertyName("N");
        writer.WriteInt32(_number);
    }
}
