using Cake.Core;
using Spectre.Console;

namespace Registry.Build.Tests.Fixtures;

/// <summary>Everything the host writes, to Cake's console and to Spectre's, in one transcript without colours.</summary>
public sealed class CapturedConsole : IConsole
{
    private readonly StringWriter writer = new();

    public CapturedConsole()
    {
        Ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(writer),
            Interactive = InteractionSupport.No,
        });
        Ansi.Profile.Width = 200;
    }

    public IAnsiConsole Ansi { get; }

    public string Text
    {
        get
        {
            lock (writer)
            {
                return writer.ToString();
            }
        }
    }

    public ConsoleColor ForegroundColor { get; set; }

    public ConsoleColor BackgroundColor { get; set; }

    public bool SupportAnsiEscapeCodes => false;

    public void Write(string format, params object[] arg) => Append(Format(format, arg));

    public void WriteLine(string format, params object[] arg) => Append(Format(format, arg) + Environment.NewLine);

    public void WriteError(string format, params object[] arg) => Append(Format(format, arg));

    public void WriteErrorLine(string format, params object[] arg) => Append(Format(format, arg) + Environment.NewLine);

    public void ResetColor()
    {
    }

    private static string Format(string format, object[] arg) => arg.Length == 0 ? format : string.Format(format, arg);

    private void Append(string text)
    {
        lock (writer)
        {
            writer.Write(text);
        }
    }
}
