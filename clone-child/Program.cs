using System.Globalization;
using System.Runtime.InteropServices;
using AreaMalloc.Areas;
using static AreaMalloc.Be.BeConstants;

namespace AreaMalloc.CloneChild;

/// <summary>
/// A second process that clones areas of the process that started it, as a driver's user program would: it reads one
/// command per line on stdin and answers one line on stdout (numbers in decimal, addresses and bytes in hex).
/// <code>
/// clone &lt;addressSpec&gt; &lt;protection&gt; &lt;handle text&gt;   -> clone &lt;id or status&gt; &lt;address&gt;
/// info &lt;id&gt;                                   -> info &lt;status&gt; &lt;size&gt; &lt;lock&gt; &lt;protection&gt; &lt;addressSpec&gt; &lt;address&gt;
/// read &lt;address&gt; &lt;length&gt;                     -> read &lt;bytes&gt;
/// write &lt;address&gt; &lt;byte&gt; &lt;length&gt;             -> wrote
/// fault &lt;address&gt; &lt;byte&gt;                       -> faulting, then a write through libc's memset (a read-only clone: SIGSEGV)
/// delete &lt;id&gt;                                 -> delete &lt;status&gt;
/// exit                                        -> exits with 0
/// </code>
/// Core dumps are turned off first, so that a child killed by SIGSEGV leaves no core file behind.
/// </summary>
internal static unsafe partial class Program
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    private static int Main()
    {
        var noCore = new RLimit(0, 0);
        SetRLimit(RLIMIT_CORE, ref noCore);
        var areas = new AreaRegistry(new LinuxAreaBackend());
        Console.Out.WriteLine("ready " + Environment.ProcessId.ToString(C));
        while (Console.In.ReadLine() is string line)
        {
            string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (w.Length == 0 ? "" : w[0])
            {
                case "clone":
                    nint address = 0;
                    int id = areas.CloneArea("child's clone", ref address, uint.Parse(w[1], C), uint.Parse(w[2], C), w[3]);
                    Answer($"clone {id} {address:x}");
                    break;
                case "info":
                    int status = areas.GetAreaInfo(int.Parse(w[1], C), out AreaInfo info);
                    Answer($"info {status} {info.Size} {info.Lock} {info.Protection} {info.AddressSpec} {info.Address:x}");
                    break;
                case "read":
                    Answer("read " + Convert.ToHexString(new ReadOnlySpan<byte>((void*)Address(w[1]), int.Parse(w[2], C))));
                    break;
                case "write":
                    new Span<byte>((void*)Address(w[1]), int.Parse(w[3], C)).Fill(byte.Parse(w[2], NumberStyles.HexNumber, C));
                    Answer("wrote");
                    break;
                case "fault":
                    Answer("faulting");
                    // Through native code: the runtime turns a fault in managed code into an AccessViolationException and
                    // aborts (SIGABRT); a fault inside libc is left to the kernel, which kills the process with SIGSEGV.
                    MemSet(Address(w[1]), byte.Parse(w[2], NumberStyles.HexNumber, C), 1);
                    Answer("survived");
                    break;
                case "delete":
                    Answer("delete " + areas.DeleteArea(int.Parse(w[1], C)).ToString(C));
                    break;
                case "exit":
                    return 0;
                default:
                    Answer("unknown command: " + line);
                    break;
            }
        }

        return 0;
    }

    private static nint Address(string hex) => (nint)ulong.Parse(hex, NumberStyles.HexNumber, C);

    private static void Answer(FormattableString text) => Answer(text.ToString(C));

    private static void Answer(string text)
    {
        Console.Out.WriteLine(text);
        Console.Out.Flush();
    }

    private const int RLIMIT_CORE = 4;

    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct RLimit(ulong Current, ulong Maximum);

    [LibraryImport("libc", EntryPoint = "setrlimit")]
    private static partial int SetRLimit(int resource, ref RLimit limit);

    [LibraryImport("libc", EntryPoint = "memset")]
    private static partial nint MemSet(nint address, int value, nuint count);
}
