// Deterministic benchmark data: CSV rows of realistic product text. Compiled by bench/BenchTools.psm1 (Add-Type).
// The same (rows, seed) always gives the same bytes: System.Random with a seed is stable across .NET versions.
using System;
using System.IO;
using System.Text;

namespace IrisBatchBench
{
    public static class BenchData
    {
        private static readonly string[] Adjectives =
        {
            "Aurora", "Basalt", "Cedar", "Drift", "Ember", "Fjord", "Granite", "Harbor", "Indigo", "Juniper", "Kestrel",
            "Lumen", "Meadow", "Nimbus", "Orchid", "Pebble", "Quartz", "Riverstone", "Sable", "Tundra", "Umber", "Vale",
            "Willow", "Yarrow", "Zephyr", "Alder", "Birch", "Copper", "Dune", "Flint",
        };
        private static readonly string[] Nouns =
        {
            "Desk Lamp", "Coffee Grinder", "Backpack", "Water Bottle", "Chef Knife", "Throw Blanket", "Bookshelf",
            "Rain Jacket", "Trail Shoe", "Cutting Board", "Tea Kettle", "Office Chair", "Notebook", "Headphones",
            "Camping Stove", "Yoga Mat", "Wall Clock", "Bike Light", "Travel Mug", "Plant Pot", "Desk Organizer",
            "Duffel Bag", "Pour-Over Set", "Floor Rug", "Table Fan",
        };
        private static readonly string[] Categories =
        {
            "Lighting", "Kitchen", "Outdoors", "Home", "Office", "Apparel", "Fitness", "Travel", "Garden", "Audio",
        };
        private static readonly string[] Colours = { "red", "green", "blue", "black", "white", "grey", "navy", "olive", "sand", "rust" };
        private static readonly string[] Words =
        {
            "durable", "lightweight", "handcrafted", "recycled", "aluminium", "oak", "steel", "cotton", "wool", "ceramic",
            "compact", "foldable", "waterproof", "ergonomic", "quiet", "adjustable", "rechargeable", "insulated", "matte",
            "polished", "designed", "for", "everyday", "use", "with", "a", "soft", "grip", "and", "a", "long", "lasting",
            "finish", "that", "fits", "small", "spaces", "easy", "to", "clean", "keeps", "drinks", "hot", "for", "hours",
            "made", "in", "small", "batches", "by", "local", "makers", "tested", "on", "mountain", "trails", "ships",
            "flat", "assembles", "in", "minutes", "without", "tools", "the", "perfect", "gift", "warm", "light", "bright",
            "natural", "textured", "classic", "modern", "minimal", "sturdy", "balanced", "precise", "breathable",
        };

        /// <summary>The CSV header of <see cref="WriteCsv"/>.</summary>
        public const string Header = "\"sku\",\"name\",\"category\",\"colour\",\"price\",\"description\"";

        /// <summary>Writes <paramref name="rows"/> rows (UTF-8, no BOM, quoted like Export-Csv) to <paramref name="path"/>.</summary>
        public static void WriteCsv(string path, int rows, int seed)
        {
            var random = new Random(seed);
            var sb = new StringBuilder(512);
            using var writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
            writer.WriteLine(Header);
            for (int i = 1; i <= rows; i++)
            {
                sb.Clear();
                Quote(sb, "SKU-" + i.ToString("D6")).Append(',');
                Quote(sb, Adjectives[random.Next(Adjectives.Length)] + " " + Nouns[random.Next(Nouns.Length)]).Append(',');
                Quote(sb, Categories[random.Next(Categories.Length)]).Append(',');
                Quote(sb, Colours[random.Next(Colours.Length)]).Append(',');
                Quote(sb, (random.Next(500, 25000) / 100.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)).Append(',');
                Quote(sb, Sentence(random, 14, 40));
                writer.WriteLine(sb.ToString());
            }
        }

        /// <summary>A long, fixed block of instructions (about <paramref name="chars"/> characters) for prompts whose answers should be big.</summary>
        public static string Instructions(int chars, int seed)
        {
            var random = new Random(seed);
            var sb = new StringBuilder(chars + 64);
            while (sb.Length < chars)
            {
                if (sb.Length > 0) sb.Append(' ');
                sb.Append(Sentence(random, 8, 20)).Append('.');
            }
            return sb.ToString();
        }

        private static string Sentence(Random random, int min, int max)
        {
            int n = random.Next(min, max);
            var sb = new StringBuilder(n * 8);
            for (int w = 0; w < n; w++)
            {
                if (w > 0) sb.Append(w % 9 == 8 ? ", " : " ");
                var word = Words[random.Next(Words.Length)];
                sb.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word.Substring(1) : word);
            }
            return sb.ToString();
        }

        private static StringBuilder Quote(StringBuilder sb, string value) => sb.Append('"').Append(value.Replace("\"", "\"\"")).Append('"');
    }
}
