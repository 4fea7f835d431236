// A new conversation: the Ask screen (in the layout) starts empty.
export default function AskPage() {
  return null;
}
