import { redirect } from "next/navigation";
import { HOME } from "@/lib/auth/redirect";

export default function Index() {
  redirect(HOME);
}
