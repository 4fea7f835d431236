"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { askStream } from "@/lib/api/askStream";
import { messageOf } from "@/lib/api/problem";
import { finishTurn, newTurn, turnsFromMessages, type Rating, type Turn } from "@/lib/assistant";
import { toastError } from "@/stores/toast";
import { assistantKeys } from "./keys";
import { conversationQuery } from "./queries";

const STOPPED = "Stopped. This answer was not saved.";
let nextKey = 1;

/** Rate an answer (the rating shows at once; see `useAsk`, which puts it back on failure). */
export function useRateAnswer() {
  return useMutation({
    mutationFn: ({ messageId, rating }: { messageId: string; rating: Rating }) =>
      unwrap(
        api.POST("/api/assistant/messages/{message_id}/feedback", {
          params: { path: { message_id: messageId } },
          body: { rating },
        }),
      ),
    onError: toastError,
  });
}

interface Options {
  /** An answer was recorded: `created` when it started a new conversation. */
  onAnswered?: (conversationId: string, created: boolean) => void;
}

/**
 * One conversation: its turns (loaded when `conversationId` changes), asking with a
 * streamed answer, stopping it, and rating answers. Only one answer streams at a time; a
 * new question, another conversation or unmounting aborts the one in flight. The turns
 * are this hook's state, not the cache's: a streamed answer grows token by token.
 */
export function useAsk(conversationId: string | null, { onAnswered }: Options = {}) {
  const client = useQueryClient();
  const { mutateAsync: sendRating } = useRateAnswer();
  const [turns, setTurns] = useState<Turn[]>([]);
  const [loading, setLoading] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [streaming, setStreaming] = useState(false);
  const current = useRef<string | null>(null); // the conversation the turns belong to
  const controller = useRef<AbortController | null>(null);
  const answered = useRef(onAnswered);
  answered.current = onAnswered;

  const update = useCallback((key: string, change: (turn: Turn) => Turn) => {
    setTurns((all) => all.map((turn) => (turn.key === key ? change(turn) : turn)));
  }, []);

  const stop = useCallback(() => controller.current?.abort(), []);

  const reset = useCallback(() => {
    controller.current?.abort();
    current.current = null;
    setTurns([]);
    setLoadError(null);
    setLoading(false);
  }, []);

  useEffect(() => {
    // The route catching up with a conversation this hook just started: nothing to load.
    if (conversationId === current.current) return;
    reset();
    if (conversationId === null) return;
    current.current = conversationId;
    let live = true;
    setLoading(true);
    client
      .fetchQuery(conversationQuery(conversationId))
      .then((detail) => live && setTurns(turnsFromMessages(detail.messages)))
      .catch((failure) => live && setLoadError(messageOf(failure)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [conversationId, reset, client]);

  useEffect(() => () => controller.current?.abort(), []);

  const ask = useCallback(
    async (question: string) => {
      controller.current?.abort();
      const mine = new AbortController();
      controller.current = mine;
      const key = `turn-${nextKey++}`;
      const conversation = current.current;
      setTurns((all) => [...all, newTurn(key, question)]);
      setStreaming(true);
      try {
        const events = askStream({ question, conversation_id: conversation }, mine.signal);
        for await (const event of events) {
          if (event.type === "token") {
            update(key, (turn) => ({ ...turn, text: turn.text + event.text }));
          } else if (event.type === "restart") {
            update(key, (turn) => ({ ...turn, text: "", restartedFrom: event.provider }));
          } else if (event.type === "citations") {
            update(key, (turn) => ({ ...turn, citations: event.citations }));
          } else if (event.type === "error") {
            update(key, (turn) => ({ ...turn, state: "error", error: event.error.message }));
          } else {
            const answer = event.answer;
            update(key, (turn) => finishTurn(turn, answer));
            // A new conversation, or one that moved to the top of the list.
            void client.invalidateQueries({ queryKey: assistantKeys.conversations() });
            if (!mine.signal.aborted && current.current === conversation) {
              current.current = answer.conversation_id;
              answered.current?.(answer.conversation_id, conversation === null);
            }
          }
        }
      } catch (failure) {
        const message = mine.signal.aborted ? STOPPED : messageOf(failure);
        update(key, (turn) => ({ ...turn, state: "error", error: message }));
      } finally {
        if (controller.current === mine) {
          controller.current = null;
          setStreaming(false);
        }
      }
    },
    [update, client],
  );

  const rate = useCallback(
    async (key: string, messageId: string, rating: Rating) => {
      let previous: Rating | null = null;
      update(key, (turn) => {
        previous = turn.rating;
        return { ...turn, rating };
      });
      try {
        await sendRating({ messageId, rating });
      } catch {
        update(key, (turn) => ({ ...turn, rating: previous }));
      }
    },
    [update, sendRating],
  );

  return { turns, loading, loadError, streaming, ask, stop, reset, rate };
}
