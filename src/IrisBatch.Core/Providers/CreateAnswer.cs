namespace IrisBatch.Providers
{
    /// <summary>
    /// A create call's answer must name the batch it made. One that does not (a 200 whose body is <c>{}</c>, as a proxy
    /// or gateway in the way may send after the service acted) says nothing about the batch, like a lost answer: it is
    /// IrisBatch.InvalidResponse, which the submitter looks up before anything is sent again, instead of a batch with no
    /// id that the journal cannot hold (IrisBatch.InvalidId) or that xAI's add-requests calls would be sent to.
    /// </summary>
    public static class CreateAnswer
    {
        public static IrisBatchInfo Checked(IrisBatchInfo batch, string provider)
        {
            if (string.IsNullOrEmpty(batch.Id))
                throw new IrisBatchException(ErrorIds.InvalidResponse, FailureKind.InvalidData, Messages.CreateNoBatchId(provider));
            return batch;
        }
    }
}
