import { useEffect, useRef, type ReactNode } from "react";

let firstPage = true;

/**
 * The page's one h1. After a client-side navigation focus moves to it (and the document title
 * follows), so screen reader and keyboard users start at the new page, as with a full page load.
 */
export function PageTitle({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!firstPage) ref.current?.focus({ preventScroll: true });
    firstPage = false;
  }, []);
  useEffect(() => {
    const text = ref.current?.textContent;
    document.title = text ? `${text} · Cinema` : "Cinema";
  });
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
