namespace IrisBatch.Commands { internal static class Placeholder {} }
