"use client";

import { useParams, useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/Alert";
import { Skeleton } from "@/components/ui/Skeleton";
import { useAsk } from "@/hooks/assistant/mutations";
import { useConversations } from "@/hooks/assistant/queries";
import { useSampleQuestions } from "@/hooks/samples/queries";
import type { CitationRead } from "@/lib/assistant";
import { AnswerCard } from "./AnswerCard";
import { AskEmpty } from "./AskEmpty";
import { ConversationList } from "./ConversationList";
import { PassageDialog } from "./PassageDialog";
import { QuestionForm } from "./QuestionForm";

/**
 * The Ask screen, kept by the /ask layout so that the route moving from /ask to
 * /ask/<id> once a new conversation is recorded does not remount it mid-answer.
 */
export function AskScreen() {
  const router = useRouter();
  const params = useParams<{ conversationId?: string }>();
  const conversationId = params.conversationId ?? null;
  const history = useConversations();
  const samples = useSampleQuestions();
  const onAnswered = useCallback(
    (id: string, created: boolean) => {
      if (created) router.replace(`/ask/${id}`);
    },
    [router],
  );
  const { turns, loading, loadError, streaming, ask, stop, reset, rate } = useAsk(conversationId, {
    onAnswered,
  });
  const [cited, setCited] = useState<CitationRead | null>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (turns.length > 0) end.current?.scrollIntoView?.({ block: "end", behavior: "smooth" });
  }, [turns.length]);

  const startNew = () => {
    reset();
    if (conversationId !== null) router.push("/ask");
  };

  return (
    <div className="grid gap-6 lg:grid-cols-[16rem_minmax(0,1fr)]">
      <ConversationList
        conversations={history.conversations}
        activeId={conversationId}
        error={history.error}
        hasMore={history.hasMore}
        loading={history.loading}
        onMore={history.loadMore}
        onNew={startNew}
      />
      <section aria-labelledby="ask-heading" className="min-w-0 space-y-5">
        <h1 id="ask-heading" className="text-2xl font-semibold tracking-tight">
          Ask
        </h1>
        {loadError ? (
          <Alert>{loadError}</Alert>
        ) : loading ? (
          <div aria-busy="true" aria-label="Loading the conversation" className="space-y-4">
            <Skeleton className="ml-auto h-10 w-2/3" />
            <Skeleton className="h-28" />
          </div>
        ) : turns.length === 0 ? (
          <AskEmpty samples={samples} onExample={(question) => void ask(question)} />
        ) : (
          <ol aria-label="Conversation" className="space-y-6">
            {turns.map((turn) => (
              <AnswerCard
                key={turn.key}
                turn={turn}
                onCite={setCited}
                onRate={(rating) => turn.messageId && void rate(turn.key, turn.messageId, rating)}
              />
            ))}
          </ol>
        )}
        <div
          ref={end}
          className="bg-slate-50/95 pb-4 pt-1 dark:bg-slate-950/95 lg:sticky lg:bottom-0"
        >
          <QuestionForm
            streaming={streaming}
            followUp={turns.length > 0}
            onAsk={(question) => void ask(question)}
            onStop={stop}
          />
        </div>
      </section>
      <PassageDialog citation={cited} onClose={() => setCited(null)} />
    </div>
  );
}
