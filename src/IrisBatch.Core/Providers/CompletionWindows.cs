using System;
using System.Globalization;

namespace IrisBatch.Providers
{
    /// <summary>
    /// Submit-IrisBatch -CompletionWindow: how long a provider may take over a batch. Checked against the provider's range
    /// (<see cref="ProviderLimits.MinCompletionWindow"/>..<see cref="ProviderLimits.MaxCompletionWindow"/>: OpenAI, Azure and
    /// Together only 24 h, Groq 24 h to 7 d, Mistral 1 to 168 h as timeout_hours) and refused where the provider has no such
    /// setting. Whole hours only: every provider that has one counts in hours.
    /// </summary>
    public static class CompletionWindows
    {
        public static readonly TimeSpan Default = TimeSpan.FromHours(24);

        /// <summary>The window in whole hours, or an IrisBatch.InvalidCompletionWindow error saying what the provider takes.</summary>
        public static int Check(ProviderLimits limits, string provider, TimeSpan window)
        {
            if (limits.MinCompletionWindow == null || limits.MaxCompletionWindow == null)
                throw Invalid(Messages.NoCompletionWindow(provider), window);
            TimeSpan min = limits.MinCompletionWindow.Value, max = limits.MaxCompletionWindow.Value;
            if (window.Ticks % TimeSpan.TicksPerHour != 0 || window <= TimeSpan.Zero)
                throw Invalid(Messages.WindowRefused(Describe(window), provider, Describe(min), Describe(max), wholeHours: false), window);
            if (window < min || window > max)
                throw Invalid(Messages.WindowRefused(Describe(window), provider, Describe(min), Describe(max), wholeHours: true), window);
            return (int)window.TotalHours;
        }

        /// <summary>OpenAI-style duration text: "24h", "36h"; whole days above a day as "2d" .. "7d".</summary>
        public static string Format(TimeSpan window)
        {
            var hours = (long)window.TotalHours;
            return hours > 24 && hours % 24 == 0
                ? (hours / 24).ToString(CultureInfo.InvariantCulture) + "d"
                : hours.ToString(CultureInfo.InvariantCulture) + "h";
        }


        private static string Describe(TimeSpan t) =>
            t.Ticks % TimeSpan.TicksPerHour == 0 ? ((long)t.TotalHours).ToString(CultureInfo.InvariantCulture) + " h" : t.ToString("c", CultureInfo.InvariantCulture);

        private static IrisBatchException Invalid(string message, TimeSpan window) =>
            new IrisBatchException(ErrorIds.InvalidCompletionWindow, FailureKind.InvalidArgument, message) { Target = window };
    }
}
