import { MfaCard } from "@/components/Settings/MfaCard";
import { PasswordForm } from "@/components/Settings/PasswordForm";

export default function SecurityPage() {
  return (
    <>
      <PasswordForm />
      <MfaCard />
    </>
  );
}
