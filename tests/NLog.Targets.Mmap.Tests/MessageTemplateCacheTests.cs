using NLog.Targets.Mmap.Translation;
using Xunit;

namespace NLog.Targets.Mmap.Tests;

public class MessageTemplateCacheTests
{
    [Theory]
    [InlineData("User {UserId} from {Ip}", new[] { "UserId", "Ip" }, new[] { 0, 1 })]
    [InlineData("{1} before {0}", new[] { "1", "0" }, new[] { 1, 0 })]
    [InlineData("{0} and {0} again", new[] { "0" }, new[] { 0 })]
    [InlineData("{A} then {B} then {A}", new[] { "A", "B" }, new[] { 0, 1 })]
    [InlineData("{@Order} by {$User}", new[] { "Order", "User" }, new[] { 0, 1 })]
    [InlineData("{Total,8:N2} total", new[] { "Total" }, new[] { 0 })]
    [InlineData("{{literal}} and {Value}", new[] { "Value" }, new[] { 0 })]
    public void Hole_names_are_paired_with_parameter_indexes(string template, string[] names, int[] indexes)
    {
        TemplateInfo info = MessageTemplateCache.Parse(template);
        Assert.Equal(names, info.Names);
        Assert.Equal(indexes, info.ParameterIndexes);
    }

    [Theory]
    [InlineData("no holes")]
    [InlineData("{{escaped}} only")]
    [InlineData("unclosed {hole")]
    [InlineData("empty {} hole")]
    [InlineData("index {12345678901} too large")]
    public void Text_without_usable_holes_is_not_a_template(string template)
    {
        Assert.False(MessageTemplateCache.Parse(template).HasHoles);
    }

    [Fact]
    public void A_template_is_parsed_once()
    {
        string template = "Cached {Value} " + System.Guid.NewGuid();
        Assert.Same(MessageTemplateCache.Get(template), MessageTemplateCache.Get(template));
    }
}
