// The Vant components the pages use, registered once; only these are bundled.
import type { App } from 'vue'
import {
  Button, Cell, CellGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar, Radio, RadioGroup, Search, Step, Steps,
  Switch, Tab, Tabbar, TabbarItem, Tabs, Tag,
} from 'vant'

export function registerComponents(app: App): void {
  for (const c of [
    Button, Cell, CellGroup, Dialog, Empty, Field, Form, Icon, Loading, NavBar, NoticeBar, Radio, RadioGroup, Search, Step, Steps,
    Switch, Tab, Tabbar, TabbarItem, Tabs, Tag,
  ]) {
    app.use(c)
  }
}
