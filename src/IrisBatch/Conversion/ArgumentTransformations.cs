using System;
using System.Globalization;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;

namespace IrisBatch.Conversion
{
    /// <summary>Accepts a number of seconds or a TimeSpan, so -PollInterval 5 and -PollInterval (New-TimeSpan -Minutes 1) both work.</summary>
    internal sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is TimeSpan span) return span.TotalSeconds;
            return value;
        }
    }

    /// <summary>Accepts a plain string for a SecureString key and converts it at once (the string is not kept).</summary>
    internal sealed class SecureStringTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (value is string text)
            {
                var secure = new SecureString();
                foreach (var c in text) secure.AppendChar(c);
                secure.MakeReadOnly();
                return secure;
            }
            return value;
        }
    }

    /// <summary>
    /// Accepts a completion window as '48h' or '7d' (the form OpenAI and Groq write it in), and 'hh:mm:ss' with more than
    /// 23 hours as that many hours: .NET alone reads '48:00:00' as 48 days. Anything else goes on to PowerShell's own
    /// TimeSpan conversion ('2.00:00:00', New-TimeSpan), so a plain number such as 48 is still 48 ticks.
    /// </summary>
    internal sealed class CompletionWindowTransformationAttribute : ArgumentTransformationAttribute
    {
        private static readonly Regex Units = new Regex(@"^\s*([0-9]{1,6})\s*([hd])\s*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);
        private static readonly Regex Clock = new Regex(@"^\s*([0-9]{1,6}):([0-5][0-9]):([0-5][0-9])\s*$", RegexOptions.CultureInvariant);

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = inputData is PSObject pso ? pso.BaseObject : inputData;
            if (!(value is string text)) return value;
            var m = Units.Match(text);
            if (m.Success)
            {
                int n = Number(m.Groups[1]);
                return char.ToLowerInvariant(m.Groups[2].Value[0]) == 'd' ? TimeSpan.FromDays(n) : TimeSpan.FromHours(n);
            }
            m = Clock.Match(text);
            if (m.Success) return new TimeSpan(Number(m.Groups[1]), Number(m.Groups[2]), Number(m.Groups[3]));
            return value;
        }

        private static int Number(Group g) => int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
