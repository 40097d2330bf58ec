using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using Serilog.Events;
using Serilog.Parsing;
using Sinks.Mmap.Core.Tests.Rendering;
using Sinks.Mmap.Rendering;
using Sinks.Mmap.Templates;
using Xunit;

namespace Sinks.Mmap.Core.Tests.Templates;

public class TemplateParserTests
{
    public static TheoryData<string> Templates => new()
    {
        "",
        "plain text",
        "{Name}",
        "Hello, {Name}!",
        "{@User} and {$Thing}",
        "{Name,-10}|{Name,10}|{Name,0}|{Name,-0}|{Name,--1}|{Name,1-}|{Name,}|{Name,:x}",
        "{Count:000} {Count,5:000} {Count:} {Count:x:y}",
        "{0} {1} {10} {0:x8} {0,-3}",
        "{{literal}} and }} and {{{Name}}} and }}}",
        "{ Name }",
        "{Na me}",
        "{Name",
        "Name}",
        "{",
        "}",
        "{}",
        "{{}}",
        "{@}",
        "{$}",
        "{@@Name}",
        "{_private} {a_b} {9lives} {Ünïcödé} {名前}",
        "{Name:yyyy-MM-dd HH:mm:ss.fff zzz}",
        "{Name:+0;-0} {Name:#,##0.00}",
        "{Name:a{b}",
        "{a{b}c}",
        "{Name:x}}",
        "{Name}}",
        "{{Name}",
        "text {Name} {Other,-5:l} end {",
        "{Name.With.Dots}",
        "{Name:}} {Name:{}",
        "{Name,99999999999}",
        "{Name,٣}",
        "{Name:<}",
        "{Name:=}",
        "{Name:a\tb}",
        "{Na\u00adme}",
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void ParsesTemplatesIntoTheSameTokensAsSerilog(string template)
    {
        Assert.Equal(Describe(SerilogTwin.Parse(template).Tokens), Describe(TemplateParser.Parse(template).Tokens));
    }

    [Fact]
    public void ParsesRandomBraceSoupIntoTheSameTokensAsSerilog()
    {
        const string alphabet = "{{}}@$:,-0159aZ_ .+!#<=é\t";
        var random = new Random(20240229);
        var builder = new StringBuilder();
        for (int n = 0; n < 20000; n++)
        {
            builder.Clear();
            int length = random.Next(0, 24);
            for (int i = 0; i < length; i++)
                builder.Append(alphabet[random.Next(alphabet.Length)]);
            string template = builder.ToString();
            Assert.True(
                Describe(SerilogTwin.Parse(template).Tokens) == Describe(TemplateParser.Parse(template).Tokens),
                "Template: " + template);
        }
    }

    [Fact]
    public void CachesParsedTemplatesAndReturnsTheSameInstance()
    {
        string template = "Cached {Value} " + Guid.NewGuid();
        Assert.Same(TemplateParser.GetOrParse(template), TemplateParser.GetOrParse(template));
    }

    [Fact]
    public void KeepsTheCacheBoundedAndCorrectUnderConcurrentUse()
    {
        Parallel.For(0, 20000, i =>
        {
            string template = "Template {P" + (i % 3000) + "} number " + (i % 3000);
            ParsedTemplate parsed = TemplateParser.GetOrParse(template);
            Assert.Equal(template, parsed.Text);
            Assert.Equal("P" + (i % 3000), parsed.Tokens[1].PropertyName);
        });
    }

    [Fact]
    public void ParsesVeryLongTemplatesWithoutCachingThem()
    {
        string template = new string('x', 5000) + "{Value}";
        ParsedTemplate first = TemplateParser.GetOrParse(template);
        Assert.NotSame(first, TemplateParser.GetOrParse(template));
        Assert.Equal("Value", first.Tokens[1].PropertyName);
    }

    private static string Describe(IEnumerable<MessageTemplateToken> tokens)
    {
        var builder = new StringBuilder();
        foreach (MessageTemplateToken token in tokens)
        {
            if (token is PropertyToken property)
            {
                builder.Append("P[").Append(property.PropertyName).Append('|').Append(property.ToString())
                    .Append('|').Append(property.Format ?? "<null>").Append('|');
                if (property.Alignment is { } alignment)
                    builder.Append(alignment.Direction == AlignmentDirection.Left ? '-' : '+').Append(alignment.Width);
                builder.Append('|').Append((int)property.Destructuring).Append(']');
            }
            else
            {
                builder.Append("T[").Append(((TextToken)token).Text).Append(']');
            }
        }
        return builder.ToString();
    }

    private static string Describe(TemplateToken[] tokens)
    {
        var builder = new StringBuilder();
        foreach (TemplateToken token in tokens)
        {
            if (token.IsProperty)
            {
                builder.Append("P[").Append(token.PropertyName).Append('|').Append(token.Text)
                    .Append('|').Append(token.Format ?? "<null>").Append('|');
                if (token.HasAlignment)
                    builder.Append(token.AlignLeft ? '-' : '+').Append(token.AlignmentWidth);
                builder.Append('|').Append((int)token.Destructuring).Append(']');
            }
            else
            {
                builder.Append("T[").Append(token.Text).Append(']');
            }
        }
        return builder.ToString();
    }
}
