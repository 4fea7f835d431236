"use client";

import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Skeleton } from "@/components/ui/Skeleton";

/** The value as a QR code image, drawn in the browser: the secret never leaves the page. */
export function QrCode({ value, label }: { value: string; label: string }) {
  const [source, setSource] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    QRCode.toDataURL(value, { margin: 1, width: 192, errorCorrectionLevel: "M" })
      .then((url) => live && setSource(url))
      .catch(() => live && setSource(null));
    return () => {
      live = false;
    };
  }, [value]);
  if (!source) return <Skeleton className="h-48 w-48" />;
  // eslint-disable-next-line @next/next/no-img-element -- a data: URL, nothing to optimize
  return <img src={source} alt={label} width={192} height={192} className="rounded-lg bg-white" />;
}
