"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { api, unwrap } from "@/lib/api/client";
import { messageOf } from "@/lib/api/problem";
import { finishTurn, newTurn, turnsFromMessages, type Rating, type Turn } from "@/lib/assistant";
import { askStream } from "@/lib/assistantStream";
import { toastError } from "@/stores/toast";

const STOPPED = "Stopped. This answer was not saved.";
let nextKey = 1;

interface Options {
  /** An answer was recorded: `created` when it started a new conversation. */
  onAnswered?: (conversationId: string, created: boolean) => void;
}

/**
 * One conversation: its turns (loaded when `conversationId` changes), asking with a
 * streamed answer, stopping it, and rating answers. Only one answer streams at a time; a
 * new question, another conversation or unmounting aborts the one in flight.
 */
export function useAsk(conversationId: string | null, { onAnswered }: Options = {}) {
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
    unwrap(
      api.GET("/api/assistant/conversations/{conversation_id}", {
        params: { path: { conversation_id: conversationId } },
      }),
    )
      .then((detail) => live && setTurns(turnsFromMessages(detail.messages)))
      .catch((failure) => live && setLoadError(messageOf(failure)))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [conversationId, reset]);

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
    [update],
  );

  const rate = useCallback(
    async (key: string, messageId: string, rating: Rating) => {
      let previous: Rating | null = null;
      update(key, (turn) => {
        previous = turn.rating;
        return { ...turn, rating };
      });
      try {
        await unwrap(
          api.POST("/api/assistant/messages/{message_id}/feedback", {
            params: { path: { message_id: messageId } },
            body: { rating },
          }),
        );
      } catch (failure) {
        update(key, (turn) => ({ ...turn, rating: previous }));
        toastError(failure);
      }
    },
    [update],
  );

  return { turns, loading, loadError, streaming, ask, stop, reset, rate };
}
