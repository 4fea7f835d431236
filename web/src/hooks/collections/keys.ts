import type { components } from "@/lib/api/schema";

export type Collection = components["schemas"]["CollectionRead"];
export type CollectionCreate = components["schemas"]["CollectionCreate"];
export type CollectionUpdate = components["schemas"]["CollectionUpdate"];
export type CollectionRole = components["schemas"]["CollectionRole"];

export const collectionKeys = {
  all: ["collections"] as const,
  list: () => [...collectionKeys.all, "list"] as const,
  detail: (collectionId: string) => [...collectionKeys.all, "detail", collectionId] as const,
  members: (collectionId: string) => [...collectionKeys.all, "members", collectionId] as const,
};
