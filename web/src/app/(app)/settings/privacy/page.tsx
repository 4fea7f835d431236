import { ConsentCard } from "@/components/Settings/ConsentCard";
import { DataExportCard } from "@/components/Settings/DataExportCard";
import { DeleteAccountCard } from "@/components/Settings/DeleteAccountCard";

export default function PrivacyPage() {
  return (
    <>
      <ConsentCard />
      <DataExportCard />
      <DeleteAccountCard />
    </>
  );
}
