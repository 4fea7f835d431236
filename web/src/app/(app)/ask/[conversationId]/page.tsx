// One conversation: the Ask screen (in the layout) reads the ID from the route.
export default function ConversationPage() {
  return null;
}
