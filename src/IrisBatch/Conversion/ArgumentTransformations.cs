using System;
using System.Management.Automation;
using System.Security;

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
}
