import { Fragment, useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface VirtualListProps<T> {
  items: readonly T[];
  /** Every row's height in pixels; rows are laid out at exactly this height. */
  rowHeight: number;
  rowKey(item: T): string;
  /** One row; index is its position among all items, for aria-rowindex. */
  renderRow(item: T, index: number): ReactNode;
  /** Rows rendered beyond each edge of the view, so a quick scroll shows no blank band. */
  overscan?: number;
  className?: string;
  /** The list's role and accessible name, given to the scrolling element itself (a focusable wrapper inside a table would break its structure). */
  role: string;
  label: string;
  /** Rows above the items that stay in view while they scroll (a table's column headers). */
  header?: ReactNode;
  testId?: string;
}

/**
 * A scrolling list that renders only the rows in view, so thousands of rows cost what forty do. The
 * viewport is a keyboard stop of its own (arrow keys and Page Up/Down scroll it). Geometry is set as
 * CSS custom properties through the DOM, since the page's CSP admits no inline style attributes.
 */
export function VirtualList<T>({ items, rowHeight, rowKey, renderRow, overscan = 8, className, role, label, header, testId }: VirtualListProps<T>) {
  const viewport = useRef<HTMLDivElement>(null);
  const windowed = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(0);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (element === null) return;
    setHeight(element.clientHeight);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useLayoutEffect(() => {
    viewport.current?.style.setProperty('--row-height', `${rowHeight}px`);
    viewport.current?.style.setProperty('--rows-height', `${items.length * rowHeight}px`);
    windowed.current?.style.setProperty('--rows-offset', `${first * rowHeight}px`);
  }, [rowHeight, items.length, first]);

  return (
    <div
      ref={viewport}
      role={role}
      aria-label={label}
      aria-rowcount={items.length + (header === undefined ? 0 : 1)}
      className={`virtual-viewport ${className ?? ''}`}
      tabIndex={0}
      onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
      data-testid={testId}
    >
      {header}
      <div className="virtual-rows">
        <div ref={windowed} className="virtual-window" role="rowgroup">
          {items.slice(first, last).map((item, offset) => (
            <Fragment key={rowKey(item)}>{renderRow(item, first + offset)}</Fragment>
          ))}
        </div>
      </div>
    </div>
  );
}
