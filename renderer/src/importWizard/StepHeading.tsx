import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A step's heading, which takes the focus when the step opens: keyboard and screen-reader users
 * start at the top of what changed rather than on a button that has gone.
 */
export function StepHeading({ id, children }: { id: string; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <h3 id={id} ref={heading} tabIndex={-1} className="step-heading">
      {children}
    </h3>
  );
}
