export const assistantKeys = {
  all: ["assistant"] as const,
  conversations: () => [...assistantKeys.all, "conversations"] as const,
  conversation: (conversationId: string) =>
    [...assistantKeys.all, "conversation", conversationId] as const,
  passage: (chunkId: string) => [...assistantKeys.all, "passage", chunkId] as const,
};
