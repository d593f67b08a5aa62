namespace IrisBatch { internal static class Placeholder {} }
